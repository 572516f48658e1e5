/**
 * The engine's options as the CLI hands them in: the default settings plus migrations/' recipes
 * (src/migrate/ never imports migrations/ itself).
 */
import { dockerfileRecipes } from '../../migrations/index.ts';
import { DEFAULT_OPTIONS as SETTINGS } from '../../src/migrate/types.ts';

export const DEFAULT_OPTIONS = { ...SETTINGS, recipes: dockerfileRecipes };
