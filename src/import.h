/*
 * import.h - read checkpoint documents (docs/formats.md) into the
 * database as operations, whole or not at all.
 */
#ifndef IMPORT_H
#define IMPORT_H

struct roo_db;

/*
 * Import one document.  Returns 0 with *id (caller frees), or -1 after
 * one message naming the file and what is wrong (with the position of a
 * JSON syntax error).
 */
int	import_file(struct roo_db *, const char *, char **);

#endif /* IMPORT_H */
