#pragma once
// The Request type is part of the public module API: include/sonora/request.h.
#include <sonora/request.h>
