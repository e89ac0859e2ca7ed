/*
 * OpenFX 1.5 core types: status, time, opaque handles, geometry, the host and
 * plugin structures and the plugin entry point. Plain C; usable from C and C++.
 */
#ifndef DEID_OFX_CORE_H
#define DEID_OFX_CORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int OfxStatus;
typedef double OfxTime;

/* Opaque handles: the host owns what they point at. */
typedef struct OfxPropertySetStruct *OfxPropertySetHandle;
typedef struct OfxImageEffectStruct *OfxImageEffectHandle;
typedef struct OfxImageClipStruct *OfxImageClipHandle;
typedef struct OfxImageMemoryStruct *OfxImageMemoryHandle;
typedef struct OfxParamSetStruct *OfxParamSetHandle;
typedef struct OfxParamStruct *OfxParamHandle;
typedef struct OfxMutex *OfxMutexHandle;
typedef struct OfxInteract *OfxInteractHandle;

typedef struct OfxRangeI {
    int min, max;
} OfxRangeI;

typedef struct OfxRangeD {
    double min, max;
} OfxRangeD;

typedef struct OfxPointI {
    int x, y;
} OfxPointI;

typedef struct OfxPointD {
    double x, y;
} OfxPointD;

typedef struct OfxRectI {
    int x1, y1, x2, y2;
} OfxRectI;

typedef struct OfxRectD {
    double x1, y1, x2, y2;
} OfxRectD;

typedef struct OfxHost {
    OfxPropertySetHandle host;
    const void *(*fetchSuite)(OfxPropertySetHandle host, const char *suiteName, int suiteVersion);
} OfxHost;

typedef OfxStatus(OfxPluginEntryPoint)(const char *action, const void *handle, OfxPropertySetHandle inArgs,
                                       OfxPropertySetHandle outArgs);

typedef struct OfxPlugin {
    const char *pluginApi;
    int apiVersion;
    const char *pluginIdentifier;
    unsigned int pluginVersionMajor;
    unsigned int pluginVersionMinor;
    void (*setHost)(OfxHost *host);
    OfxPluginEntryPoint *mainEntry;
} OfxPlugin;

/* Signatures of the functions a plugin binary exports. */
typedef int (*OfxGetNumberOfPluginsFunc)(void);
typedef OfxPlugin *(*OfxGetPluginFunc)(int nth);
typedef OfxStatus (*OfxSetHostFunc)(const OfxHost *host);

#ifdef __cplusplus
}
#endif

#endif /* DEID_OFX_CORE_H */
