// Package files stores uploaded record files and serves them the way
// PocketBase does (spec §1.6 F2, §5.3 file field, §9.3 storage layout).
//
// It provides:
//
//   - [Storage], with a crash-durable local-disk implementation ([Local],
//     rooted at pb_data/storage) and an S3-compatible one ([S3]) that speaks
//     the S3 REST protocol with a small hand-written SigV4 signer;
//   - [NormalizeFilename], which turns a client-supplied name into the
//     sanitised, randomised stored name;
//   - [DetectContentType], [ValidateMime] and [CheckImageClaim] for content
//     sniffing at upload and serve time;
//   - [Serve] and [ServeHeaders], which add the download-safety headers
//     (Content-Disposition, nosniff, a sandboxing CSP) on top of
//     net/http's range and conditional request handling;
//   - [ParseThumbSize], [Thumb] and the caching [Thumbs] service for lazily
//     generated image thumbnails.
//
// Keys are slash-separated, "<collectionId>/<recordId>/<filename>", and are
// validated the same way by every Storage so that a key accepted by one
// backend is accepted by the other.
//
// The package imports neither echo nor dbx: the HTTP layer hands it a plain
// http.ResponseWriter and the record layer decides which keys exist.
package files
