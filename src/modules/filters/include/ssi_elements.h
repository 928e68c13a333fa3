#pragma once
// The elements of mod_include (echo, set, config, if/elif/else/endif,
// fsize, flastmod, printenv, comment, include, exec), run against a
// Processor. Internal to the processor.

#include "modules/filters/include/ssi_processor.h"

namespace sonora::modules::filters::ssi {

class Elements {
public:
    // Runs `e`; false when no element of that name exists (the caller
    // reports the unknown directive).
    static bool run(Processor& p, const Element& e);

private:
    friend class Processor;
    static void echo(Processor& p, const Element& e);
    static void set(Processor& p, const Element& e);
    static void config(Processor& p, const Element& e);
    static void printenv(Processor& p, const Element& e);
    static void file_fact(Processor& p, const Element& e, bool size);
    static void if_(Processor& p, const Element& e, bool elif);
    static void else_(Processor& p, const Element& e, bool endif);
    static void include(Processor& p, const Element& e);
    static void exec(Processor& p, const Element& e);
};

}  // namespace sonora::modules::filters::ssi
