import AGCMedia
import CFaceDetect
import Foundation

/// OpenCV's frontal-face Haar cascade (Debian's `opencv-data`).
public let defaultFaceCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

/// Finds faces in RGB pictures with a cascade classifier.
public final class FaceDetector {
    private let handle: UnsafeMutableRawPointer

    /// Loads the cascade at `cascadePath`; throws a message naming the file when it cannot.
    public init(cascadePath: String = defaultFaceCascade) throws {
        guard let handle = agc_face_detector_create(cascadePath) else {
            throw CodecError.faceDetector("\(cascadePath): cannot load the face cascade (is opencv-data installed?)")
        }
        self.handle = handle
    }

    deinit { agc_face_detector_destroy(handle) }

    /// Faces at least `minSize` pixels wide, largest first.
    public func faces(in image: RGBImage, minSize: Int) -> [CropRect] {
        var gray = [UInt8](repeating: 0, count: image.width * image.height)
        for p in gray.indices {
            let r = Int(image.pixels[3 * p]), g = Int(image.pixels[3 * p + 1]), b = Int(image.pixels[3 * p + 2])
            gray[p] = UInt8((r * 77 + g * 150 + b * 29 + 128) >> 8)
        }
        var boxes = [agc_face_box](repeating: agc_face_box(), count: 16)
        let found = agc_face_detector_detect(handle, gray, Int32(image.width), Int32(image.height),
                                             Int32(image.width), Int32(minSize), &boxes, Int32(boxes.count))
        guard found > 0 else { return [] }
        return boxes.prefix(Int(min(found, 16))).map {
            CropRect(x: Int($0.x), y: Int($0.y), width: Int($0.width), height: Int($0.height))
        }
    }
}

/// How the coded square is taken from the source picture.
public enum CropMode: Equatable, Sendable {
    /// Find the face and pick one stable square for the clip.
    case auto
    /// The centre square.
    case full
    /// A given rectangle (made square by the caller's choice of width and height).
    case rect(CropRect)

    /// Parses `auto`, `full` or `X,Y,W,H`.
    public init?(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "full": self = .full
        default:
            let parts = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3],
                  w > 0, h > 0 else { return nil }
            self = .rect(CropRect(x: x, y: y, width: w, height: h))
        }
    }
}

/// Chooses the clip's square crop.
public enum CropChooser {
    /// The centre square of a `width` x `height` picture.
    public static func centreSquare(width: Int, height: Int) -> CropRect {
        let side = min(width, height)
        return CropRect(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
    }

    /// One square around the face for the whole clip: faces found on frames spread over the
    /// first `seconds` seconds, the median centre, a side of `scale` times the median face size,
    /// clamped inside the picture. Nil when no face is found.
    public static func faceSquare(path: String, detector: FaceDetector, seconds: Double = 10, samples: Int = 16,
                                  scale: Double = 1.9) throws -> CropRect? {
        let reader = try VideoReader(path: path)
        let info = reader.info
        let fps = max(info.frameRate.value, 1)
        let span = max(1, min(Int(seconds * fps), info.frameCountEstimate > 0 ? info.frameCountEstimate : Int.max))
        let step = max(1, span / samples)
        let minSize = max(24, min(info.width, info.height) / 12)
        var centres: [(Double, Double)] = [], sizes: [Double] = []
        var index = 0
        while index < span, let frame = try reader.nextFrame() {
            defer { index += 1 }
            guard index % step == 0, let face = detector.faces(in: frame.image, minSize: minSize).first else { continue }
            centres.append((Double(face.x) + Double(face.width) / 2, Double(face.y) + Double(face.height) / 2))
            sizes.append(Double(max(face.width, face.height)))
        }
        guard !sizes.isEmpty else { return nil }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let faceSize = median(sizes)
        let side = min(min(info.width, info.height), Int((faceSize * scale).rounded()))
        // Faces sit a little above the centre of a head-and-shoulders square.
        let cx = median(centres.map { $0.0 }), cy = median(centres.map { $0.1 }) - 0.05 * faceSize
        let x = Int((cx - Double(side) / 2).rounded()), y = Int((cy - Double(side) / 2).rounded())
        return CropRect(x: min(max(x, 0), info.width - side), y: min(max(y, 0), info.height - side),
                        width: side, height: side)
    }
}
