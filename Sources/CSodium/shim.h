#ifndef CMDOP_CSODIUM_SHIM_H
#define CMDOP_CSODIUM_SHIM_H
#include <sodium.h>
#endif
