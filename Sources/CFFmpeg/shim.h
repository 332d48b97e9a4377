// Shim for the parts of FFmpeg that Swift cannot import: function-like macros and
// helpers that read C-only structures. Everything here is static inline.
#ifndef AGC_CFFMPEG_SHIM_H
#define AGC_CFFMPEG_SHIM_H

#include <errno.h>
#include <math.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/dict.h>
#include <libavutil/channel_layout.h>

/// AVERROR(e): an FFmpeg error code from a POSIX errno value.
static inline int cffmpeg_averror(int e) { return AVERROR(e); }

/// AVERROR(EAGAIN).
static inline int cffmpeg_averror_eagain(void) { return AVERROR(EAGAIN); }

/// AVERROR_EOF.
static inline int cffmpeg_averror_eof(void) { return AVERROR_EOF; }

/// AVERROR_INVALIDDATA.
static inline int cffmpeg_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }

/// AVERROR_DECODER_NOT_FOUND / ENCODER_NOT_FOUND / STREAM_NOT_FOUND.
static inline int cffmpeg_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }

/// AV_NOPTS_VALUE.
static inline int64_t cffmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }

/// AV_TIME_BASE.
static inline int cffmpeg_time_base(void) { return AV_TIME_BASE; }

/// av_err2str without the compound literal: writes the message into buf and returns 0,
/// or a negative value when the code is unknown (buf then holds a generic message).
static inline int cffmpeg_strerror(int errnum, char *buf, size_t size) {
    return av_strerror(errnum, buf, size);
}

/// Rotation of the stream's display matrix in degrees, counter-clockwise as FFmpeg
/// reports it (av_display_rotation_get), or NAN when the stream has no display matrix.
static inline double cffmpeg_stream_display_rotation(const AVStream *st) {
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!data || size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)data);
}

/// Rotation of a frame's display matrix side data (as above), or NAN when absent.
static inline double cffmpeg_frame_display_rotation(const AVFrame *frame) {
    AVFrameSideData *sd = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
    if (!sd || sd->size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)sd->data);
}

/// Pointer to plane i of a frame (AVFrame.data is an 8-tuple in Swift).
static inline uint8_t *cffmpeg_frame_data(const AVFrame *frame, int i) { return frame->data[i]; }

/// Line size of plane i of a frame.
static inline int cffmpeg_frame_linesize(const AVFrame *frame, int i) { return frame->linesize[i]; }

/// Planes and line sizes of a frame as arrays usable by sws_scale.
static inline uint8_t *const *cffmpeg_frame_planes(const AVFrame *frame) {
    return (uint8_t *const *)frame->data;
}
static inline const int *cffmpeg_frame_linesizes(const AVFrame *frame) { return frame->linesize; }

/// Scales one source picture given as a single packed plane (e.g. RGB24) into a frame.
static inline int cffmpeg_sws_scale_packed_to_frame(struct SwsContext *ctx, const uint8_t *src,
                                                    int src_stride, int src_height, AVFrame *dst) {
    const uint8_t *planes[4] = { src, NULL, NULL, NULL };
    int strides[4] = { src_stride, 0, 0, 0 };
    return sws_scale(ctx, planes, strides, 0, src_height, dst->data, dst->linesize);
}

/// Scales a frame into one packed destination plane (e.g. RGB24).
static inline int cffmpeg_sws_scale_frame_to_packed(struct SwsContext *ctx, const AVFrame *src,
                                                    int src_height, uint8_t *dst, int dst_stride) {
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int strides[4] = { dst_stride, 0, 0, 0 };
    return sws_scale(ctx, (const uint8_t *const *)src->data, src->linesize, 0, src_height,
                     planes, strides);
}

/// Scales one packed source plane into one packed destination plane.
static inline int cffmpeg_sws_scale_packed(struct SwsContext *ctx, const uint8_t *src, int src_stride,
                                           int src_height, uint8_t *dst, int dst_stride) {
    const uint8_t *sp[4] = { src, NULL, NULL, NULL };
    int ss[4] = { src_stride, 0, 0, 0 };
    uint8_t *dp[4] = { dst, NULL, NULL, NULL };
    int ds[4] = { dst_stride, 0, 0, 0 };
    return sws_scale(ctx, sp, ss, 0, src_height, dp, ds);
}

/// Sets the channel count of codec parameters to a default layout (FFmpeg 5.1 API).
static inline void cffmpeg_set_default_channels(AVCodecParameters *par, int channels) {
    av_channel_layout_uninit(&par->ch_layout);
    av_channel_layout_default(&par->ch_layout, channels);
}

/// Number of channels of codec parameters.
static inline int cffmpeg_channels(const AVCodecParameters *par) { return par->ch_layout.nb_channels; }

/// Sets a codec context's channel layout to the default one of `channels` channels.
static inline void cffmpeg_context_set_default_channels(AVCodecContext *c, int channels) {
    av_channel_layout_uninit(&c->ch_layout);
    av_channel_layout_default(&c->ch_layout, channels);
}

/// Gives a frame the channel layout of a codec context.
static inline int cffmpeg_frame_copy_layout(AVFrame *frame, const AVCodecContext *c) {
    return av_channel_layout_copy(&frame->ch_layout, &c->ch_layout);
}

/// A resampler from a decoder's output (layout, format, rate) to `channels` channels of
/// `format` at `rate` (FFmpeg 5.1 API); NULL when it cannot be set up.
static inline SwrContext *cffmpeg_swr_for_decoder(const AVCodecContext *decoder, int channels,
                                                  enum AVSampleFormat format, int rate) {
    AVChannelLayout out_layout;
    av_channel_layout_default(&out_layout, channels);
    AVChannelLayout in_layout;
    if (decoder->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || av_channel_layout_check(&decoder->ch_layout) == 0)
        av_channel_layout_default(&in_layout, decoder->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in_layout, &decoder->ch_layout) < 0)
        return NULL;
    SwrContext *swr = NULL;
    int code = swr_alloc_set_opts2(&swr, &out_layout, format, rate, &in_layout, decoder->sample_fmt,
                                   decoder->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in_layout);
    av_channel_layout_uninit(&out_layout);
    if (code < 0 || swr_init(swr) < 0) { swr_free(&swr); return NULL; }
    return swr;
}

/// Converts a decoded frame's samples (NULL: flushes) into `out` (interleaved, `capacity`
/// samples per channel); returns the samples written per channel or a negative error.
static inline int cffmpeg_swr_convert_frame(SwrContext *swr, const AVFrame *frame, uint8_t *out, int capacity) {
    uint8_t *planes[1] = { out };
    if (!frame) return swr_convert(swr, planes, capacity, NULL, 0);
    return swr_convert(swr, planes, capacity, (const uint8_t **)frame->extended_data, frame->nb_samples);
}

#endif
