module github.com/example-org/beacon

go 1.19
