/** An input problem a human must fix (src/files/input-error.ts): the name the Dockerfile room and its callers use. */
export { InputError as DockerfileError } from '../files/input-error.ts';
