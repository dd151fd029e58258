/* clock_ms.h -- the project's millisecond clocks, one of each kind:
 * mono_now_ms() for every timeout, deadline and idle time
 * (CLOCK_MONOTONIC: steps of the wall clock move none of them), its
 * cheaper coarse reading mono_coarse_ms() for the id cache's TTL, and
 * wall_now_ms() where a time must mean a date (CLOCK_REALTIME), and
 * mono_now_us() where a wait is shorter than a millisecond. Code whose
 * tests need a clock of their own takes the time as an argument
 * (audit_joiner_expire_idle, filter_decide) and is given one of these.
 */
#ifndef AUDITFWD_CLOCK_MS_H
#define AUDITFWD_CLOCK_MS_H

#include <stdint.h>

#define CLOCK_MS_PER_S 1000

/* Milliseconds on CLOCK_MONOTONIC (since some unspecified start). */
int64_t mono_now_ms(void);
/* The same clock read as of the kernel's last tick (CLOCK_MONOTONIC_COARSE
 * where there is one: up to a tick, 1 to 10 ms, behind; a fifth of the
 * cost). For a time that is compared only with others of its own kind,
 * seconds apart: the id cache's TTL, read for most fields of a SYSCALL
 * record. */
int64_t mono_coarse_ms(void);
/* Microseconds on the same clock: waits shorter than a millisecond, and
 * durations summed in counters. */
int64_t mono_now_us(void);
/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t wall_now_ms(void);

#endif
