/*
 * hash.h - SHA-256 of buffers and of open files, behind a small API.
 *
 * This is the only module that includes OpenSSL.  A struct hasher holds a
 * digest context and a read buffer; each thread uses its own.  hash_buffer
 * is thread-safe.
 */
#ifndef HASH_H
#define HASH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_LEN	32
/* Bytes read for the prefix hash. */
#define HASH_PREFIX_LEN	4096
/* Files this small are read whole when their prefix is wanted: the full
 * hash then costs less than opening them a second time. */
#define HASH_WHOLE_MAX	(64 * 1024)

struct hasher;

enum hash_rc {
	HASH_OK = 0,
	HASH_ERR = -1,		/* a read failed; errno says why */
	HASH_STOPPED = 1	/* *stop became nonzero mid-file */
};

/* SHA-256 of n bytes. */
void		 hash_buffer(const void *, size_t, unsigned char *);

struct hasher	*hasher_new(void);
void		 hasher_free(struct hasher *);

/*
 * Hash at most limit bytes read from fd at its current offset (to end of
 * file when limit is UINT64_MAX) into out.  *nread gets the bytes read.
 * Checks *stop (when not NULL) between reads.  Returns an enum hash_rc.
 */
int		 hasher_fd(struct hasher *, int, uint64_t, unsigned char *,
		    uint64_t *, const volatile sig_atomic_t *);
/*
 * The same, also writing to split_out the digest of the first split bytes
 * (of the whole file when it is shorter).
 */
int		 hasher_fd_split(struct hasher *, int, uint64_t, uint64_t,
		    unsigned char *, unsigned char *, uint64_t *,
		    const volatile sig_atomic_t *);

/* Incremental hashing of records, for checkpoint digests. */
void		 hasher_begin(struct hasher *);
void		 hasher_update(struct hasher *, const void *, size_t);
void		 hasher_end(struct hasher *, unsigned char *);

#endif /* HASH_H */
