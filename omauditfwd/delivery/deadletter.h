/* deadletter.h -- messages a collector refuses for good, kept in a file.
 *
 * A message that Kafka will never take as it is (larger than the brokers
 * accept, a record they cannot validate) must neither block the messages
 * behind it nor vanish: it is appended here, with why it was refused, and
 * its batch is settled. The file lives in rsyslog's work directory, named
 * after the action (omauditfwd-<statsname>.deadletter), mode 0600.
 *
 * Format (version 1): entries back to back, each
 *
 *   omauditfwd-deadletter 1 TIME REASON TOPICLEN KEYLEN MSGLEN LF
 *   TOPIC KEY MSG LF
 *
 * TIME is when it was written (RFC 3339, UTC, milliseconds); REASON the
 * error's name (librdkafka's, e.g. MSG_SIZE_TOO_LARGE: letters, digits and
 * '_' only); the lengths are decimal byte counts, KEYLEN '-' for a message
 * without a key (an empty key is 0). TOPIC, KEY and MSG follow as raw bytes,
 * exactly as they were to be produced, with nothing between them, and one
 * LF closes the entry. Nothing in a message is interpreted: the lengths say
 * where it ends, so a message holding LF or text that looks like an entry
 * header cannot forge one. A reader checks the closing LF; an entry cut
 * short (disk full, crash) is told by a missing LF, and the next entry is
 * found again by its header line.
 *
 * Durability: each append writes every entry of the call with one write()
 * per entry on an O_APPEND descriptor (so entries of concurrent writers --
 * an action's workers -- do not interleave) and fsyncs before it returns:
 * a message is settled (its batch committed to rsyslog) only once it is on
 * disk. contrib/deadletter.py lists and extracts the entries (README).
 */
#ifndef AUDITFWD_DEADLETTER_H
#define AUDITFWD_DEADLETTER_H

#include <stddef.h>

#define DEADLETTER_MAGIC      "omauditfwd-deadletter 1 "
#define DEADLETTER_REASON_MAX 64   /* longer reasons are cut */

typedef struct deadletter_entry {
	const char *reason;        /* a name: other characters become '_' */
	const char *topic;
	size_t tlen;
	const char *key;           /* NULL: the message has no key */
	size_t klen;
	const char *msg;
	size_t len;
} deadletter_entry_t;

/* Append the N entries of V to PATH (created 0600 when missing; a symbolic
 * link is refused) and fsync it. 0, or -1 with ERR set: then what was
 * written of them must not be counted as kept. */
int deadletter_append(const char *path, const deadletter_entry_t *v, size_t n,
                      char *err, size_t errlen);

/* PATH of the dead-letter file of the action named STATSNAME in directory
 * DIR: DIR/omauditfwd-<statsname>.deadletter (the prefix not doubled;
 * characters other than a-z A-Z 0-9 . _ - become '_'). 0, or -1 when it
 * does not fit OUTLEN bytes. */
int deadletter_path(char *out, size_t outlen, const char *dir, const char *statsname);

#endif
