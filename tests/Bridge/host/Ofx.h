// The OpenFX declarations the test host is built against: the plugin's own headers in
// src/Bridge/include/ofx, so host and plugin always agree on the binary interface.
#pragma once

#include "ofx/ofx_core.h"
#include "ofx/ofx_constants.h"
#include "ofx/ofx_suites.h"
