/*
 * hash.c - SHA-256 through libcrypto's EVP interface.
 *
 * The digest is fetched once per process (OpenSSL 3 otherwise looks it up
 * on every EVP_DigestInit_ex).  Files are read in large blocks with a
 * sequential-access hint; nothing here knows about paths or the database.
 */
#include "config.h"

#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define READ_BLOCK	(256 * 1024)

struct hasher {
	EVP_MD_CTX	*ctx;
	EVP_MD_CTX	*part;		/* for hasher_fd_split */
	unsigned char	*buf;
};

static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;
static const EVP_MD	*md;

static void
md_fetch(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
#endif
	if (md == NULL)
		md = EVP_sha256();
	if (md == NULL)
		die("libcrypto has no SHA-256");
}

static const EVP_MD *
sha256(void)
{
	pthread_once(&md_once, md_fetch);
	return md;
}

void
hash_buffer(const void *p, size_t n, unsigned char *out)
{
	unsigned int	 len;

	if (EVP_Digest(p, n, out, &len, sha256(), NULL) != 1 ||
	    len != HASH_LEN)
		die("SHA-256 of a buffer failed");
}

struct hasher *
hasher_new(void)
{
	struct hasher	*h;

	h = xmalloc(sizeof(*h));
	h->ctx = EVP_MD_CTX_new();
	h->part = EVP_MD_CTX_new();
	if (h->ctx == NULL || h->part == NULL)
		die("out of memory for a digest context");
	h->buf = xmalloc(READ_BLOCK);
	return h;
}

void
hasher_free(struct hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_CTX_free(h->part);
	free(h->buf);
	free(h);
}

void
hasher_begin(struct hasher *h)
{
	if (EVP_DigestInit_ex(h->ctx, sha256(), NULL) != 1)
		die("SHA-256 init failed");
}

void
hasher_update(struct hasher *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		die("SHA-256 update failed");
}

void
hasher_end(struct hasher *h, unsigned char *out)
{
	unsigned int	 len;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != HASH_LEN)
		die("SHA-256 final failed");
}

int
hasher_fd(struct hasher *h, int fd, uint64_t limit, unsigned char *out,
    uint64_t *nread, const volatile sig_atomic_t *stop)
{
	return hasher_fd_split(h, fd, limit, 0, NULL, out, nread, stop);
}

int
hasher_fd_split(struct hasher *h, int fd, uint64_t limit, uint64_t split,
    unsigned char *split_out, unsigned char *out, uint64_t *nread,
    const volatile sig_atomic_t *stop)
{
	uint64_t	 total;
	size_t		 want;
	ssize_t		 n;
	unsigned int	 len;

#ifdef HAVE_POSIX_FADVISE
	if (limit > READ_BLOCK)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	hasher_begin(h);
	total = 0;
	while (total < limit) {
		if (stop != NULL && *stop) {
			*nread = total;
			return HASH_STOPPED;
		}
		want = READ_BLOCK;
		if (limit - total < want)
			want = (size_t)(limit - total);
		/* Stop a read at the split, to take its digest there. */
		if (split_out != NULL && total < split && split - total < want)
			want = (size_t)(split - total);
		n = read(fd, h->buf, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*nread = total;
			return HASH_ERR;
		}
		if (n == 0)
			break;
		hasher_update(h, h->buf, (size_t)n);
		total += (uint64_t)n;
		if (split_out != NULL && total == split && total < limit) {
			if (EVP_MD_CTX_copy_ex(h->part, h->ctx) != 1 ||
			    EVP_DigestFinal_ex(h->part, split_out, &len) != 1 ||
			    len != HASH_LEN)
				die("SHA-256 of a file's first bytes failed");
			split_out = NULL;
		}
	}
	hasher_end(h, out);
	/* A file no longer than the split: its first bytes are all of it. */
	if (split_out != NULL)
		memcpy(split_out, out, HASH_LEN);
	*nread = total;
	return HASH_OK;
}
