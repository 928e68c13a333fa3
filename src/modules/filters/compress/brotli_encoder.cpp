#include "modules/filters/compress/brotli_encoder.h"

#include <brotli/encode.h>

namespace sonora::modules::filters::compress {

BrotliEncoder::BrotliEncoder(const BrotliSettings& s) {
    state_ = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (state_ == nullptr) {
        return;
    }
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(s.quality));
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGWIN, static_cast<std::uint32_t>(s.lgwin));
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGBLOCK, static_cast<std::uint32_t>(s.lgblock));
}

BrotliEncoder::~BrotliEncoder() {
    if (state_ != nullptr) {
        BrotliEncoderDestroyInstance(state_);
    }
}

void BrotliEncoder::run(std::string_view in, int operation, std::string& out) {
    const auto op = static_cast<BrotliEncoderOperation>(operation);
    std::size_t avail_in = in.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    for (;;) {
        std::size_t avail_out = 0;
        if (!BrotliEncoderCompressStream(state_, op, &avail_in, &next_in, &avail_out, nullptr, nullptr)) {
            return;
        }
        // Take the encoder's own buffer rather than copying through ours.
        std::size_t produced = 0;
        const std::uint8_t* bytes = BrotliEncoderTakeOutput(state_, &produced);
        out.append(reinterpret_cast<const char*>(bytes), produced);
        total_out_ += produced;
        const bool finished = op == BROTLI_OPERATION_FINISH && BrotliEncoderIsFinished(state_);
        if (finished || (op != BROTLI_OPERATION_FINISH && avail_in == 0 && !BrotliEncoderHasMoreOutput(state_))) {
            break;
        }
    }
    total_in_ += in.size() - avail_in;
}

void BrotliEncoder::compress(std::string_view in, std::string& out) {
    if (state_ != nullptr) {
        run(in, BROTLI_OPERATION_PROCESS, out);
    }
}

void BrotliEncoder::finish(std::string& out) {
    if (state_ != nullptr) {
        run({}, BROTLI_OPERATION_FINISH, out);
    }
}

}  // namespace sonora::modules::filters::compress
