module github.com/example-org/widget

go 1.19
