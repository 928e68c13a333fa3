#pragma once
// br as mod_brotli writes it: libbrotlienc's stream with the configured
// quality, window (lgwin) and input block (lgblock, 0: the encoder's choice).

#include "modules/filters/compress/encoder.h"

struct BrotliEncoderStateStruct;

namespace sonora::modules::filters::compress {

struct BrotliSettings {
    int quality = 5;   // BrotliCompressionQuality
    int lgwin = 18;    // BrotliCompressionWindow
    int lgblock = 0;   // BrotliCompressionMaxInputBlock
};

class BrotliEncoder final : public Encoder {
public:
    explicit BrotliEncoder(const BrotliSettings& settings);
    ~BrotliEncoder() override;
    BrotliEncoder(const BrotliEncoder&) = delete;
    BrotliEncoder& operator=(const BrotliEncoder&) = delete;

    bool ok() const { return state_ != nullptr; }

    void compress(std::string_view in, std::string& out) override;
    void finish(std::string& out) override;
    std::uint64_t total_in() const override { return total_in_; }
    std::uint64_t total_out() const override { return total_out_; }

private:
    void run(std::string_view in, int operation, std::string& out);

    BrotliEncoderStateStruct* state_ = nullptr;
    std::uint64_t total_in_ = 0;
    std::uint64_t total_out_ = 0;
};

}  // namespace sonora::modules::filters::compress
