// Command trivydb writes a small Trivy vulnerability database for the scanner tests:
//
//	go run . -spec spec.json -cache DIR   # writes DIR/db/trivy.db and DIR/db/metadata.json
//
// The layout is the one Trivy v0.74.0 reads, from the trivy-db module it pins
// (github.com/aquasecurity/trivy-db v0.0.0-20260813095258-0e0340a01b57):
//   - pkg/db/db.go: every value is JSON; advisories live at <platform bucket>/<package bucket>/<vuln ID>;
//     a root bucket name containing "::" (e.g. "go::The Go Vulnerability Database") is matched by prefix.
//   - pkg/vulnsrc/bucket/bucket.go: OS buckets are "<ecosystem> <major.minor>" ("alpine 3.22");
//     language buckets are "<ecosystem>::<data source name>".
//   - pkg/db/vulnerability.go: bucket "vulnerability", key = vuln ID, value = types.Vulnerability
//     (Title, Severity, VendorSeverity{source ID: 0..4}).
//   - pkg/db/data_source.go: bucket "data-source", key = root bucket name, value = types.DataSource
//     (ID, Name, URL); Trivy picks the severity from VendorSeverity[data source ID].
//   - pkg/metadata/metadata.go: metadata.json {Version, NextUpdate, UpdatedAt, DownloadedAt}; trivy-db
//     SchemaVersion is 2.
//
// The spec (JSON) is written by test/support/scanner-fixtures.ts; values are passed through as JSON,
// so field names are trivy-db's (FixedVersion, VulnerableVersions, PatchedVersions, ...).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Spec is what the tests ask for.
type Spec struct {
	// DataSources: root bucket name -> trivy-db types.DataSource.
	DataSources map[string]json.RawMessage `json:"dataSources"`
	// Advisories: root bucket -> package bucket -> vuln ID -> trivy-db types.Advisory.
	Advisories map[string]map[string]map[string]json.RawMessage `json:"advisories"`
	// Vulnerabilities: vuln ID -> trivy-db types.Vulnerability.
	Vulnerabilities map[string]json.RawMessage `json:"vulnerabilities"`
}

// Metadata mirrors trivy-db pkg/metadata.Metadata.
type Metadata struct {
	Version      int `json:",omitempty"`
	NextUpdate   time.Time
	UpdatedAt    time.Time
	DownloadedAt time.Time
}

func main() {
	specPath := flag.String("spec", "", "the JSON spec")
	cacheDir := flag.String("cache", "", "Trivy's --cache-dir; the DB goes to <cache>/db")
	flag.Parse()
	if *specPath == "" || *cacheDir == "" {
		fmt.Fprintln(os.Stderr, "usage: trivydb -spec spec.json -cache DIR")
		os.Exit(2)
	}
	if err := run(*specPath, *cacheDir); err != nil {
		fmt.Fprintln(os.Stderr, "trivydb:", err)
		os.Exit(1)
	}
}

func run(specPath, cacheDir string) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(dbDir, "trivy.db")
	_ = os.Remove(dbPath)
	db, err := bolt.Open(dbPath, 0o644, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		// Trivy reads this bucket for every finding; create it even when empty.
		vulns, err := tx.CreateBucketIfNotExists([]byte("vulnerability"))
		if err != nil {
			return err
		}
		for id, v := range spec.Vulnerabilities {
			if err := vulns.Put([]byte(id), v); err != nil {
				return err
			}
		}
		sources, err := tx.CreateBucketIfNotExists([]byte("data-source"))
		if err != nil {
			return err
		}
		for name, v := range spec.DataSources {
			if err := sources.Put([]byte(name), v); err != nil {
				return err
			}
		}
		for root, pkgs := range spec.Advisories {
			rb, err := tx.CreateBucketIfNotExists([]byte(root))
			if err != nil {
				return err
			}
			for pkg, advs := range pkgs {
				pb, err := rb.CreateBucketIfNotExists([]byte(pkg))
				if err != nil {
					return err
				}
				for id, v := range advs {
					if err := pb.Put([]byte(id), v); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	// Trivy with --skip-db-update only checks that both files exist and Version is 2; the far-future
	// NextUpdate and a non-zero DownloadedAt keep it from treating the DB as stale either way.
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	meta, err := json.Marshal(Metadata{
		Version:      2,
		NextUpdate:   time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		UpdatedAt:    fixed,
		DownloadedAt: fixed,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dbDir, "metadata.json"), append(meta, '\n'), 0o644)
}
