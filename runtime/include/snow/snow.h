/* snow/snow.h — everything a precompiled program includes. */
#ifndef SNOW_SNOW_H
#define SNOW_SNOW_H
#include "msr.h"
#include "exec.h"
#endif
