import Foundation

// agc-encode lands with issue 3 (the bitstream and the codec pipeline). Until then it says so
// and exits non-zero rather than pretending to work.
FileHandle.standardError.write(Data("agc-encode: not available yet: the codec pipeline is issue 3; see README.md\n".utf8))
exit(2)
