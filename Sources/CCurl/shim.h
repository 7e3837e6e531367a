#ifndef CMDOP_CCURL_SHIM_H
#define CMDOP_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt, curl_multi_setopt and curl_easy_getinfo are C variadics, which Swift cannot call.
   One typed wrapper per argument type follows. */

typedef size_t (*cmdop_curl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

static inline CURLcode cmdop_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                       cmdop_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLMcode cmdop_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLcode cmdop_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode cmdop_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* CURLMsg.data is a union; this reads its CURLcode member. */
static inline CURLcode cmdop_multi_msg_result(const CURLMsg *message) {
    return message->data.result;
}

/* Macros Swift cannot import. */
static inline CURLcode cmdop_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline size_t cmdop_writefunc_pause(void) {
    return CURL_WRITEFUNC_PAUSE;
}

static inline CURLcode cmdop_easy_unpause(CURL *handle) {
    return curl_easy_pause(handle, CURLPAUSE_CONT);
}

#endif
