/* clock_ms.h -- the project's millisecond clocks, one of each kind:
 * mono_now_ms() for every timeout, deadline, idle time and cache TTL
 * (CLOCK_MONOTONIC: steps of the wall clock move none of them), and
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
/* Microseconds on the same clock: waits shorter than a millisecond, and
 * durations summed in counters. */
int64_t mono_now_us(void);
/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t wall_now_ms(void);

#endif
