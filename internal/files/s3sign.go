package files

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Requests are signed with AWS Signature Version 4 by the AWS SDK's signer
// (github.com/aws/aws-sdk-go-v2/aws/signer/v4, the signer alone: no
// service clients), not by code of our own: a request-signing protocol is
// crypto, and the repository's rule is that such code comes from a
// well-kept library (issue #22).

// unsignedPayload is the payload hash for streamed bodies: allowed by S3 and
// by S3-compatible servers, and it spares a second pass over uploads.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// emptySHA256 is the hex SHA-256 of an empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// newSigner returns a signer for S3 requests. S3 wants the path escaped
// once, as sent (the URLs are built with uriEncode), not escaped again as
// other AWS services do. Each client needs its own: the signer caches the
// derived signing key by access key, region and day — not by secret — so
// a shared signer kept signing with a replaced secret (TestS3Test's
// "wrong secret" caught it).
func newSigner() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// sign adds the x-amz-date, x-amz-content-sha256 and Authorization headers.
// payloadHash is the hex SHA-256 of the body or unsignedPayload.
func sign(signer *v4.Signer, req *http.Request, accessKey, secret, region string, payloadHash string, now time.Time) error {
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}
	return signer.SignHTTP(context.Background(), creds, req, payloadHash, "s3", region, now.UTC())
}
