// Recording and replaying a document's scan (see ssi_scan_replay.h).

#include "modules/filters/include/ssi_scan_replay.h"

#include <limits>

namespace sonora::modules::filters::ssi {

namespace {

// What an element holds on the heap, beyond sizeof(Element) in the vector
// (small strings count whole: an estimate for a cache bound, not an audit).
std::size_t element_bytes(const Element& e) {
    std::size_t n = sizeof(Element) + e.name.capacity() + e.args.capacity() * sizeof(TagArg);
    for (const TagArg& a : e.args) {
        n += a.name.capacity() + (a.value ? a.value->capacity() : 0);
    }
    return n;
}

}  // namespace

void ScanSource::feed(std::string_view chunk) {
    if (replay_) {
        return;
    }
    fed_ += chunk.size();
    if (recording_ && fed_ > expected_) {
        recording_.reset();  // more bytes than the file had: not the scan of that file
    }
    scanner_.feed(chunk);
}

void ScanSource::finish() {
    if (!replay_) {
        scanner_.finish();
    }
}

Scanner::Event ScanSource::next() {
    if (replay_) {
        if (step_ == replay_->steps.size()) {
            return Scanner::Event::End;
        }
        const ScannedDocument::Step& s = replay_->steps[step_++];
        if (s.event == Scanner::Event::Text) {
            text_ = std::string_view(replay_->text).substr(s.offset, s.size);
        } else if (s.event == Scanner::Event::Element) {
            element_ = &replay_->elements[s.offset];
        }
        return s.event;
    }
    const Scanner::Event e = scanner_.next();
    text_ = scanner_.text();
    element_ = &scanner_.element();
    if (recording_) {
        keep(e);
    }
    return e;
}

void ScanSource::keep(Scanner::Event e) {
    ScannedDocument& d = *recording_;
    switch (e) {
    case Scanner::Event::Text:
        d.steps.push_back({e, static_cast<std::uint32_t>(d.text.size()), static_cast<std::uint32_t>(text_.size())});
        d.text.append(text_);
        break;
    case Scanner::Event::Element:
        d.steps.push_back({e, static_cast<std::uint32_t>(d.elements.size()), 0});
        d.elements.push_back(*element_);
        break;
    case Scanner::Event::Unterminated:
        d.steps.push_back({e, 0, 0});
        break;
    case Scanner::Event::End:
        d.steps.push_back({e, 0, 0});
        ended_ = true;
        break;
    case Scanner::Event::NeedInput:
        break;  // where the chunks were cut does not matter to a replay
    }
}

void ScanSource::replay(std::shared_ptr<const ScannedDocument> scan) {
    replay_ = std::move(scan);
    step_ = 0;
    recording_.reset();
}

void ScanSource::record(std::uint64_t size) {
    if (replay_ || size > std::numeric_limits<std::uint32_t>::max()) {
        return;
    }
    recording_ = std::make_unique<ScannedDocument>();
    expected_ = size;
    fed_ = 0;
    ended_ = false;
}

std::shared_ptr<const ScannedDocument> ScanSource::take_recording() {
    if (!recording_ || !ended_ || fed_ != expected_) {
        return nullptr;
    }
    std::unique_ptr<ScannedDocument> d = std::move(recording_);
    d->text.shrink_to_fit();
    d->steps.shrink_to_fit();
    d->elements.shrink_to_fit();
    d->footprint = sizeof(ScannedDocument) + d->text.capacity() + d->steps.capacity() * sizeof(ScannedDocument::Step);
    for (const Element& e : d->elements) {
        d->footprint += element_bytes(e);
    }
    return std::shared_ptr<const ScannedDocument>(std::move(d));
}

}  // namespace sonora::modules::filters::ssi
