/* clock_ms.c -- the millisecond clocks (see clock_ms.h). */
#include <time.h>

#include "clock_ms.h"

#define NS_PER_MS 1000000
#define US_PER_S  1000000
#define NS_PER_US 1000

static int64_t ms_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * CLOCK_MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

int64_t mono_now_ms(void)
{
	return ms_of(CLOCK_MONOTONIC);
}

int64_t mono_coarse_ms(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
	return ms_of(CLOCK_MONOTONIC_COARSE);
#else
	return ms_of(CLOCK_MONOTONIC);
#endif
}

int64_t mono_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / NS_PER_US;
}

int64_t wall_now_ms(void)
{
	return ms_of(CLOCK_REALTIME);
}
