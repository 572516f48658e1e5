module github.com/example-org/gizmo-operator

go 1.19
