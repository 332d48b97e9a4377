// The camera's motion between two frames, measured by OpenCV's ECC alignment behind a C
// interface (training/camera.py is the same measurement in Python, used to train with it).
#include "CCameraMotion.h"

#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

namespace {

const int kFinestSize = 128;
const int kLevels = 3;
const int kIterations = 50;
const double kEpsilon = 1e-4;
const double kMaxLinear = 0.3;
const double kMaxShift = 0.5;

/// Packed RGB -> float grey at `size` (area averaging).
cv::Mat grey(const cv::Mat &rgb, int size) {
    cv::Mat g8, g;
    cv::cvtColor(rgb, g8, cv::COLOR_RGB2GRAY);
    g8.convertTo(g, CV_32F);
    if (g.rows == size) return g;
    cv::Mat out;
    cv::resize(g, out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    return out;
}

/// 1 over the band that is mostly background (the top 15 % and the sides, 20 % each).
cv::Mat backgroundMask(int size) {
    cv::Mat mask(size, size, CV_8U, cv::Scalar(1));
    int top = static_cast<int>(0.15 * size), side = static_cast<int>(0.2 * size);
    mask(cv::Range(top, size), cv::Range(side, size - side)).setTo(0);
    return mask;
}

/// Mean squared difference of two grey pictures over the mask.
double maskedError(const cv::Mat &a, const cv::Mat &b, const cv::Mat &mask) {
    cv::Mat d = a - b;
    return cv::mean(d.mul(d), mask)[0];
}

}  // namespace

int agc_camera_estimate(const unsigned char *key_rgb, const unsigned char *frame_rgb, int size, double theta[6]) {
    const double identity[6] = {1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 6; ++i) theta[i] = identity[i];
    if (key_rgb == nullptr || frame_rgb == nullptr || size < kFinestSize) return -1;
    cv::Mat key(size, size, CV_8UC3, const_cast<unsigned char *>(key_rgb));
    cv::Mat frame(size, size, CV_8UC3, const_cast<unsigned char *>(frame_rgb));
    cv::Mat warp = cv::Mat::eye(2, 3, CV_32F);
    cv::Mat gKey, gFrame, mask;
    for (int level = kLevels - 1; level >= 0; --level) {
        int s = kFinestSize >> level;
        if (level != kLevels - 1) warp.col(2) *= 2;  // the translation at the finer level
        gKey = grey(key, s);
        gFrame = grey(frame, s);
        mask = backgroundMask(s);
        cv::TermCriteria criteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, kIterations, kEpsilon);
        cv::Mat refined = warp.clone();
        try {
            cv::findTransformECC(gFrame, gKey, refined, cv::MOTION_AFFINE, criteria, mask, 3);
            warp = refined;
        } catch (const cv::Exception &) {
            // no convergence: keep the coarser estimate
        }
    }
    // Pixels at the finest size -> [-1, 1]: theta = P^-1 W P, P = [[s/2, 0, (s-1)/2], [0, s/2, (s-1)/2]].
    const double s = kFinestSize, h = s / 2, c = (s - 1) / 2;
    double w[6];
    for (int i = 0; i < 6; ++i) w[i] = warp.at<float>(i / 3, i % 3);
    double t[6];
    for (int r = 0; r < 2; ++r) {
        t[3 * r + 0] = w[3 * r + 0];
        t[3 * r + 1] = w[3 * r + 1];
        t[3 * r + 2] = (w[3 * r + 0] * c + w[3 * r + 1] * c + w[3 * r + 2] - c) / h;
    }
    bool plausible = std::fabs(t[0] - 1) <= kMaxLinear && std::fabs(t[1]) <= kMaxLinear &&
                     std::fabs(t[3]) <= kMaxLinear && std::fabs(t[4] - 1) <= kMaxLinear &&
                     std::fabs(t[2]) <= kMaxShift && std::fabs(t[5]) <= kMaxShift;
    if (!plausible) return 0;
    // Kept only where it matches the background better than a camera standing still.
    cv::Mat moved;
    cv::warpAffine(gKey, moved, warp, gKey.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    if (!(maskedError(moved, gFrame, mask) < maskedError(gKey, gFrame, mask))) return 0;
    for (int i = 0; i < 6; ++i) theta[i] = t[i];
    return 1;
}
