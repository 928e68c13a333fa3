#pragma once
// A document's scan kept for later requests (beyond httpd, which scans every
// time): what the Scanner found in the whole document, in order, so that a
// later request for the same unchanged bytes under the same tags gets the
// same text pieces and elements without scanning.
//
// ScanSource is what the Processor reads its scanner events from. It scans
// live (optionally recording the events), or replays a ScannedDocument.
// Replay gives exactly the events of the recorded scan, text cut where the
// recorded scan cut it, so the processor's actions (and so the output and
// where it was passed on) are those of the live scan of the same chunks.
//
// Thread-safety: a ScannedDocument is immutable once recorded and may be
// replayed by any number of ScanSources (shared_ptr keeps it alive while a
// request replays it, after a cache dropped it). A ScanSource belongs to one
// Processor.

#include "modules/filters/include/ssi_scanner.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::filters::ssi {

struct ScannedDocument {
    // One scanner event: Text (text[offset, offset + size)), Element
    // (elements[offset]), Unterminated or End (the last).
    struct Step {
        Scanner::Event event = Scanner::Event::End;
        std::uint32_t offset = 0;
        std::uint32_t size = 0;
    };
    std::string text;  // every Text event's bytes, one after the other
    std::vector<Element> elements;
    std::vector<Step> steps;
    std::size_t footprint = 0;  // bytes of memory held, for a cache's bound
};

class ScanSource {
public:
    ScanSource(std::string_view start_tag, std::string_view end_tag) : scanner_(start_tag, end_tag) {}

    // As Scanner's; feed() and finish() do nothing while replaying (a replay
    // never answers NeedInput).
    void feed(std::string_view chunk);
    void finish();
    Scanner::Event next();
    std::string_view text() const { return text_; }
    // The last Element event's element, valid until the next call to next().
    const Element& element() const { return *element_; }

    // Before the first next(): take the events from `scan` instead of scanning.
    void replay(std::shared_ptr<const ScannedDocument> scan);
    // Before the first feed(): keep what the scan finds in a document of
    // `size` bytes (at most 4 GiB, the offsets are 32 bits).
    void record(std::uint64_t size);
    // Once next() has answered End: the recording, if the bytes fed were
    // exactly `size` (a file that changed while it was read gives none).
    // Null when not recording, or called before the end.
    std::shared_ptr<const ScannedDocument> take_recording();

private:
    void keep(Scanner::Event e);

    Scanner scanner_;
    std::string_view text_;
    const Element* element_ = nullptr;

    std::shared_ptr<const ScannedDocument> replay_;
    std::size_t step_ = 0;

    std::unique_ptr<ScannedDocument> recording_;
    std::uint64_t expected_ = 0;
    std::uint64_t fed_ = 0;
    bool ended_ = false;
};

}  // namespace sonora::modules::filters::ssi
