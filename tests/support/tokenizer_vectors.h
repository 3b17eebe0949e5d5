// llama.cpp's tokenizer test vectors (../shared/fixtures/tokenizer/<stem>.inp / .out) and a
// check that a tokenizer reproduces them, shared by the tokenizer and conversion tests.
#pragma once

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tokenizer/tokenizer.h"

namespace tessera::test {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct VocabCase {
    std::string input;
    std::vector<int32_t> expected;
};

// llama.cpp's test-tokenizer-0 format: inputs separated by "\n__ggml_vocab_test__\n"
// (the file ends with one), and line n of .out holds the ids of input n.
inline std::vector<VocabCase> read_cases(const std::string& stem) {
    const std::string inp = read_file(fixture("tokenizer/" + stem + ".inp"));
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<VocabCase> cases;
    for (std::size_t pos = 0; pos < inp.size();) {
        const std::size_t next = inp.find(sep, pos);
        if (next == std::string::npos) {
            cases.push_back({inp.substr(pos), {}});
            break;
        }
        cases.push_back({inp.substr(pos, next - pos), {}});
        pos = next + sep.size();
    }
    std::ifstream out(fixture("tokenizer/" + stem + ".out"));
    std::string line;
    std::size_t i = 0;
    while (std::getline(out, line) && i < cases.size()) {
        std::istringstream ids(line);
        for (int32_t id; ids >> id;) cases[i].expected.push_back(id);
        ++i;
    }
    EXPECT_EQ(i, cases.size()) << stem << ".out has fewer lines than inputs";
    return cases;
}

inline std::string show(const std::vector<int32_t>& ids) {
    std::string s;
    for (const int32_t id : ids) s += std::to_string(id) + " ";
    return s;
}

inline void expect_matches_vectors(const Tokenizer& tok, const std::string& stem) {
    const auto cases = read_cases(stem);
    ASSERT_FALSE(cases.empty());
    std::size_t matched = 0;
    for (const auto& c : cases) {
        const auto ids = tok.encode(c.input, /*add_bos=*/false, /*parse_special=*/false);
        if (ids == c.expected) ++matched;
        else ADD_FAILURE() << stem << " input '" << c.input << "'\n  got      " << show(ids) << "\n  expected "
                           << show(c.expected);
    }
    EXPECT_EQ(matched, cases.size());
    std::cout << "[          ] " << stem << ": " << matched << "/" << cases.size() << " match\n";
}

}  // namespace tessera::test
