package files

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The S3 tests run against a real S3-protocol server, Versity S3 Gateway
// (versitygw) with its posix backend, installed by
// testdata/install-s3-server.sh. Without the binary they skip locally and
// fail under CI (CI env set), so a CI run can never pass without them.

const (
	s3TestAccess = "basaltaccess"
	s3TestSecret = "basaltsecret/with+chars"
	s3TestBucket = "basalt-test"
)

var s3Server struct {
	once     sync.Once
	endpoint string
	err      error
	skip     string
	cmd      *exec.Cmd
	dir      string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if s3Server.cmd != nil && s3Server.cmd.Process != nil {
		s3Server.cmd.Process.Kill()
		s3Server.cmd.Wait()
	}
	if s3Server.dir != "" {
		os.RemoveAll(s3Server.dir)
	}
	os.Exit(code)
}

func findVersityGW() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "versitygw")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startS3Server starts versitygw once for the whole test binary.
func startS3Server() {
	bin := findVersityGW()
	if bin == "" {
		s3Server.skip = "versitygw not found in PATH or $(go env GOPATH)/bin; run internal/files/testdata/install-s3-server.sh"
		return
	}
	dir, err := os.MkdirTemp("", "basalt-s3-test-")
	if err != nil {
		s3Server.err = err
		return
	}
	s3Server.dir = dir
	data, meta := filepath.Join(dir, "data"), filepath.Join(dir, "meta")
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			s3Server.err = err
			return
		}
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		s3Server.err = err
		return
	}
	cmd := exec.Command(bin, "--access", s3TestAccess, "--secret", s3TestSecret,
		"--port", addr, "--region", "us-east-1", "--quiet",
		// A sidecar dir for metadata, so the temp FS need not support xattrs.
		"posix", "--sidecar", meta, data)
	logFile, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		s3Server.err = fmt.Errorf("start versitygw: %w", err)
		return
	}
	s3Server.cmd = cmd
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			s3Server.err = fmt.Errorf("versitygw did not listen on %s: %s", addr, log)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s3Server.endpoint = "http://" + addr

	s, err := NewS3(s3TestConfig())
	if err != nil {
		s3Server.err = err
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.createBucket(ctx); err != nil {
		s3Server.err = fmt.Errorf("create bucket: %w", err)
	}
}

func s3TestConfig() S3Config {
	return S3Config{
		Bucket: s3TestBucket, Region: "us-east-1", Endpoint: s3Server.endpoint,
		AccessKey: s3TestAccess, Secret: s3TestSecret, ForcePathStyle: true,
	}
}

// createBucket is CreateBucket, which the storage itself never needs.
func (s *S3) createBucket(ctx context.Context) error {
	resp, err := s.do(ctx, "create bucket", http.MethodPut, s.objectURL("", nil), nil, nil, 0, "")
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}

// requireS3 returns a storage on the test server, skipping (locally) or
// failing (CI) when the server is not installed.
func requireS3(t *testing.T) *S3 {
	t.Helper()
	s3Server.once.Do(startS3Server)
	if s3Server.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and the S3 test server is missing: %s", s3Server.skip)
		}
		t.Skip(s3Server.skip)
	}
	if s3Server.err != nil {
		t.Fatalf("S3 test server: %v", s3Server.err)
	}
	s, err := NewS3(s3TestConfig())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Storage(t *testing.T) {
	s := requireS3(t)
	testStorage(t, s, "suite")
}

func TestS3Test(t *testing.T) {
	s := requireS3(t)
	ctx := context.Background()

	cases := []struct {
		name    string
		mutate  func(*S3Config)
		wantErr bool
		code    string
	}{
		{"valid config", func(*S3Config) {}, false, ""},
		{"wrong secret", func(c *S3Config) { c.Secret = "wrong" }, true, "SignatureDoesNotMatch"},
		// versitygw answers XAdminUserNotFound where AWS says InvalidAccessKeyId.
		{"unknown access key", func(c *S3Config) { c.AccessKey = "nobody" }, true, ""},
		{"missing bucket", func(c *S3Config) { c.Bucket = "no-such-bucket" }, true, "NoSuchBucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := s3TestConfig()
			tc.mutate(&cfg)
			st, err := NewS3(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = st.Test(ctx)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Test() = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.wantErr && errors.Is(err, ErrNotFound) {
				t.Errorf("Test() = %v: a configuration error must not look like a missing file", err)
			}
			var se *S3Error
			if tc.code != "" && (!errors.As(err, &se) || se.Code != tc.code) {
				t.Errorf("Test() = %v, want S3 error code %s", err, tc.code)
			}
		})
	}
	// Test leaves nothing behind.
	objs, err := s.List(ctx, "basalt_settings_test_")
	if err != nil || len(objs) != 0 {
		t.Errorf("probe objects left: %v, %v", objs, err)
	}
}

func TestS3KeysNeedingEncoding(t *testing.T) {
	s := requireS3(t)
	ctx := context.Background()
	// Keys are normally [a-z0-9_.], but the signer must cope with anything
	// a key may legally hold.
	for _, key := range []string{"enc/r/with space.txt", "enc/r/plus+and=eq#hash.txt", "enc/r/ünïcødé.txt", "enc/r/a~b(c)!*'.txt"} {
		t.Run(key, func(t *testing.T) {
			if err := s.Put(ctx, key, strings.NewReader(key), int64(len(key)), ""); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if err := s.Copy(ctx, key, key+".copy"); err != nil {
				t.Fatalf("Copy: %v", err)
			}
			info, err := s.Stat(ctx, key+".copy")
			if err != nil || info.Size != int64(len(key)) {
				t.Fatalf("Stat = %+v, %v", info, err)
			}
		})
	}
	objs, err := s.List(ctx, "enc/r/")
	if err != nil || len(objs) != 8 {
		t.Fatalf("List = %d objects, %v; want 8", len(objs), err)
	}
	if err := s.DeletePrefix(ctx, "enc/"); err != nil {
		t.Fatal(err)
	}
}

func TestS3ContentTypeRecorded(t *testing.T) {
	s := requireS3(t)
	ctx := context.Background()
	if err := s.Put(ctx, "ct/r/x.png", strings.NewReader("png?"), 4, "image/png"); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Open(ctx, "ct/r/x.png")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if got := obj.ContentType(); got != "image/png" {
		t.Errorf("ContentType = %q, want image/png", got)
	}
}

func TestS3ObjectURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		endpoint  string
		pathStyle bool
		key       string
		want      string
	}{
		{"path style", "http://127.0.0.1:9000", true, "c/r/a b.txt", "http://127.0.0.1:9000/bkt/c/r/a%20b.txt"},
		{"virtual host", "https://s3.example.com", false, "c/r/f.txt", "https://bkt.s3.example.com/c/r/f.txt"},
		{"no scheme means https", "s3.example.com", false, "k", "https://bkt.s3.example.com/k"},
		{"endpoint with path", "http://host/base/", true, "k", "http://host/base/bkt/k"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewS3(S3Config{Bucket: "bkt", Endpoint: tc.endpoint, AccessKey: "a", Secret: "s", ForcePathStyle: tc.pathStyle})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.objectURL(tc.key, nil).String(); got != tc.want {
				t.Errorf("objectURL = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := NewS3(S3Config{Bucket: "b", Endpoint: "ftp://x", AccessKey: "a", Secret: "s"}); err == nil {
		t.Error("NewS3 accepted an ftp endpoint")
	}
	if _, err := NewS3(S3Config{Endpoint: "http://x", AccessKey: "a", Secret: "s"}); err == nil {
		t.Error("NewS3 accepted an empty bucket")
	}
}

// TestSignV4KnownVector checks the signer against the "GET Bucket (List
// Objects)" example of AWS's SigV4 documentation for S3.
func TestSignV4KnownVector(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	now := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	if err := sign(newSigner(), req, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", emptySHA256, now); err != nil {
		t.Fatal(err)
	}
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;x-amz-content-sha256;x-amz-date, " +
		"Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}
