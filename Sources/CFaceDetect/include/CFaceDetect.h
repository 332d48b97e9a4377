#ifndef CFACEDETECT_H
#define CFACEDETECT_H

#ifdef __cplusplus
extern "C" {
#endif

/// A detected face, in pixels of the image it was found in.
typedef struct {
    int x, y, width, height;
} agc_face_box;

/// Loads a Haar or LBP cascade (OpenCV XML). Returns NULL when the file cannot be loaded.
void *agc_face_detector_create(const char *cascade_path);

/// Frees a detector made by agc_face_detector_create.
void agc_face_detector_destroy(void *detector);

/// Finds faces of at least min_size pixels in an 8-bit grey image (rows `stride` bytes apart).
/// Writes at most max_out boxes, largest first; returns how many faces were found, or -1 on error.
int agc_face_detector_detect(void *detector, const unsigned char *gray, int width, int height, int stride,
                             int min_size, agc_face_box *out, int max_out);

#ifdef __cplusplus
}
#endif

#endif
