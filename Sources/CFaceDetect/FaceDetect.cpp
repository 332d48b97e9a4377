// A C interface to OpenCV's cascade classifier, so that Swift can find faces without
// importing C++.
#include "CFaceDetect.h"

#include <algorithm>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

void *agc_face_detector_create(const char *cascade_path) {
    try {
        auto *classifier = new cv::CascadeClassifier();
        if (!classifier->load(cascade_path)) {
            delete classifier;
            return nullptr;
        }
        return classifier;
    } catch (...) {
        return nullptr;
    }
}

void agc_face_detector_destroy(void *detector) {
    delete static_cast<cv::CascadeClassifier *>(detector);
}

int agc_face_detector_detect(void *detector, const unsigned char *gray, int width, int height, int stride,
                             int min_size, agc_face_box *out, int max_out) {
    if (detector == nullptr || gray == nullptr || width <= 0 || height <= 0 || stride < width) return -1;
    try {
        cv::Mat image(height, width, CV_8UC1, const_cast<unsigned char *>(gray), static_cast<size_t>(stride));
        cv::Mat equalized;
        cv::equalizeHist(image, equalized);
        std::vector<cv::Rect> faces;
        static_cast<cv::CascadeClassifier *>(detector)->detectMultiScale(
            equalized, faces, 1.1, 5, 0, cv::Size(min_size, min_size));
        std::sort(faces.begin(), faces.end(), [](const cv::Rect &a, const cv::Rect &b) { return a.area() > b.area(); });
        int n = std::min(static_cast<int>(faces.size()), max_out);
        for (int i = 0; i < n; ++i) out[i] = {faces[i].x, faces[i].y, faces[i].width, faces[i].height};
        return static_cast<int>(faces.size());
    } catch (...) {
        return -1;
    }
}
