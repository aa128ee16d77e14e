/* basicop.c - the overflow counter of the basic operators (basicop.h); link once per program. */
#include "basicop.h"

uint32_t basicop_overflow = 0;

uint32_t basicop_overflow_count(void)
{
    return basicop_overflow;
}

void basicop_reset_overflow(void)
{
    basicop_overflow = 0;
}
