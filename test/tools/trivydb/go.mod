// Writes a fixture Trivy vulnerability DB for the scanner tests (test/support/scanner-fixtures.ts).
module relay-security.test/tools/trivydb

go 1.25.0

require go.etcd.io/bbolt v1.5.0

require golang.org/x/sys v0.45.0 // indirect
