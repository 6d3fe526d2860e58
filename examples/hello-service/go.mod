module github.com/acme/hello-service

go 1.24
