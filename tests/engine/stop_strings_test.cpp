// Stop strings split across pieces are still found, never shown, and text that only
// looked like the start of one is released.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sampling/stop_strings.h"

namespace tessera {
namespace {

// Feeds pieces; returns what was shown and whether it stopped.
std::pair<std::string, bool> run(std::vector<std::string> stops, const std::vector<std::string>& pieces) {
    StopMatcher m(std::move(stops));
    std::string out;
    for (const auto& p : pieces)
        if (m.feed(p, out)) return {out, true};
    m.flush(out);
    return {out, false};
}

TEST(StopStrings, MatchesAcrossPiecesAndShowsNothingOfIt) {
    auto [out, stopped] = run({"User:"}, {"Hello", " there\nUs", "er", ": next"});
    EXPECT_TRUE(stopped);
    EXPECT_EQ(out, "Hello there\n");
}

TEST(StopStrings, APrefixThatDoesNotCompleteIsReleased) {
    StopMatcher m({"</answer>"});
    std::string out;
    EXPECT_FALSE(m.feed("a </ans", out));
    EXPECT_EQ(out, "a ");  // "</ans" is held: it may become the stop string
    EXPECT_FALSE(m.feed("wer? no", out));
    EXPECT_EQ(out, "a </answer? no");
    auto [all, stopped] = run({"</answer>"}, {"x </an", "d"});
    EXPECT_FALSE(stopped);
    EXPECT_EQ(all, "x </and");
}

TEST(StopStrings, TheEarliestOfSeveralWinsAndTextAfterItIsDropped) {
    auto [out, stopped] = run({"END", "STOP"}, {"one STOP two END"});
    EXPECT_TRUE(stopped);
    EXPECT_EQ(out, "one ");
}

TEST(StopStrings, MultiByteStopStringsAreHeldOnCharacterBoundaries) {
    auto [out, stopped] = run({"→done"}, {"step →", "do", "ne tail"});
    EXPECT_TRUE(stopped);
    EXPECT_EQ(out, "step ");
    StopMatcher m({"→done"});
    std::string shown;
    m.feed("a →", shown);
    EXPECT_EQ(shown, "a ");  // the arrow is held whole
}

TEST(StopStrings, NoStopsPassesEverythingThrough) {
    auto [out, stopped] = run({}, {"a", "b"});
    EXPECT_FALSE(stopped);
    EXPECT_EQ(out, "ab");
    auto [out2, stopped2] = run({""}, {"a"});  // an empty stop string never matches
    EXPECT_FALSE(stopped2);
    EXPECT_EQ(out2, "a");
}

}  // namespace
}  // namespace tessera
