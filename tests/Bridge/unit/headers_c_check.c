/* Compiled as C99: the OpenFX declarations must stay usable from C. */
#include "ofx/ofx_constants.h"
#include "ofx/ofx_core.h"
#include "ofx/ofx_suites.h"

int deid_ofx_headers_c_check(void);

int deid_ofx_headers_c_check(void) {
    OfxRectI r = {0, 0, 1, 1};
    OfxPropertySuiteV1 prop = {0};
    OfxPlugin plugin = {kOfxImageEffectPluginApi, kOfxImageEffectPluginApiVersion, "x", 0, 1, 0, 0};
    (void)prop;
    (void)plugin;
    return r.x2 + kOfxStatOK + (int)sizeof(OfxMessageSuiteV2) + (int)sizeof(OfxProgressSuiteV2) +
           (int)sizeof(OfxMultiThreadSuiteV1) + (int)sizeof(OfxMemorySuiteV1) + (int)sizeof(OfxParameterSuiteV1) +
           (int)sizeof(OfxImageEffectSuiteV1);
}
