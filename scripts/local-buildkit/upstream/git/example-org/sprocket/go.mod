module github.com/example-org/sprocket

go 1.19
