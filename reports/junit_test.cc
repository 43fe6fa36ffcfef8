#include "reports/junit.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using testing::cell_of;
using testing::clean_cell;
using testing::index_of;
using testing::violate;
using testing::violated_cell;

// A small strict XML reader: the prolog, elements with double-quoted
// attributes, text, the five named entities and numeric references. It
// reads what JUnit consumers read and rejects what they would choke on
// (a raw '<' or '&', mismatched tags, control characters, trailing junk).
struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<std::unique_ptr<Element>> children;

  std::vector<const Element*> all(const std::string& child) const {
    std::vector<const Element*> out;
    for (const auto& c : children) {
      if (c->name == child) out.push_back(c.get());
    }
    return out;
  }
  const Element* first(const std::string& child) const {
    auto v = all(child);
    return v.empty() ? nullptr : v.front();
  }
  int number(const std::string& attribute) const { return std::stoi(attributes.at(attribute)); }
};

class XmlReader {
 public:
  explicit XmlReader(std::string text) : s_(std::move(text)) {}

  std::unique_ptr<Element> document() {
    const std::string prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    if (s_.compare(0, prolog.size(), prolog) != 0) return fail("no XML prolog");
    pos_ = prolog.size();
    auto root = element();
    while (root && pos_ < s_.size() && isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (root && pos_ != s_.size()) return fail("junk after the root element");
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<Element> fail(const std::string& what) {
    if (error_.empty()) error_ = what + " at " + std::to_string(pos_);
    return nullptr;
  }
  std::string name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && (isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' || s_[pos_] == '_'))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  void spaces() {
    while (pos_ < s_.size() && isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  // Text up to `end`, entities decoded; false on a raw '<' or a bad entity.
  bool chars(char end, std::string* out) {
    while (pos_ < s_.size() && s_[pos_] != end) {
      const char ch = s_[pos_];
      if (ch == '<' || (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')) return false;
      if (ch != '&') {
        *out += ch;
        ++pos_;
        continue;
      }
      const size_t semi = s_.find(';', pos_);
      if (semi == std::string::npos) return false;
      const std::string entity = s_.substr(pos_ + 1, semi - pos_ - 1);
      static const std::map<std::string, char> kNamed = {
          {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
      if (kNamed.count(entity)) {
        *out += kNamed.at(entity);
      } else if (entity.size() > 1 && entity[0] == '#' &&
                 entity.find_first_not_of("0123456789", 1) == std::string::npos) {
        *out += static_cast<char>(std::stoi(entity.substr(1)));
      } else {
        return false;
      }
      pos_ = semi + 1;
    }
    return pos_ < s_.size();
  }
  std::unique_ptr<Element> element() {
    spaces();
    if (pos_ >= s_.size() || s_[pos_] != '<') return fail("expected '<'");
    ++pos_;
    auto e = std::make_unique<Element>();
    e->name = name();
    if (e->name.empty()) return fail("element without a name");
    while (true) {
      spaces();
      if (pos_ >= s_.size()) return fail("unterminated tag");
      if (s_.compare(pos_, 2, "/>") == 0) {
        pos_ += 2;
        return e;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string key = name();
      if (key.empty() || s_.compare(pos_, 2, "=\"") != 0) return fail("bad attribute");
      pos_ += 2;
      std::string value;
      if (!chars('"', &value)) return fail("bad attribute value");
      ++pos_;
      if (e->attributes.count(key)) return fail("attribute " + key + " twice");
      e->attributes[key] = value;
    }
    while (true) {
      if (!chars('<', &e->text)) return fail("bad text");
      if (s_.compare(pos_, 2, "</") == 0) {
        pos_ += 2;
        if (name() != e->name || pos_ >= s_.size() || s_[pos_] != '>') return fail("mismatched end tag of " + e->name);
        ++pos_;
        return e;
      }
      auto child = element();
      if (!child) return nullptr;
      e->children.push_back(std::move(child));
    }
  }

  std::string s_;
  size_t pos_ = 0;
  std::string error_;
};

std::unique_ptr<Element> parse(const std::string& xml) {
  XmlReader reader(xml);
  auto doc = reader.document();
  EXPECT_TRUE(doc != nullptr) << reader.error() << "\n" << xml;
  return doc;
}

int64_t millis(const std::string& seconds) {
  const size_t dot = seconds.find('.');
  EXPECT_EQ(seconds.size() - dot, 4u) << seconds;
  return std::stoll(seconds.substr(0, dot)) * 1000 + std::stoll(seconds.substr(dot + 1));
}

// The structure JUnit consumers read, checked in full: every count on every
// testsuite and on testsuites is what its testcases add up to.
void expect_consistent(const Element& root) {
  ASSERT_EQ(root.name, "testsuites");
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  int64_t ms = 0;
  for (const auto& suite : root.children) {
    ASSERT_EQ(suite->name, "testsuite");
    EXPECT_FALSE(suite->attributes.at("name").empty());
    int t = 0, f = 0, e = 0, s = 0;
    int64_t suite_ms = 0;
    for (const auto& tc : suite->children) {
      ASSERT_EQ(tc->name, "testcase");
      EXPECT_FALSE(tc->attributes.at("name").empty());
      EXPECT_FALSE(tc->attributes.at("classname").empty());
      suite_ms += millis(tc->attributes.at("time"));
      ++t;
      const int outcomes =
          static_cast<int>(tc->all("failure").size() + tc->all("error").size() + tc->all("skipped").size());
      EXPECT_LE(outcomes, 1) << tc->attributes.at("name");
      f += static_cast<int>(tc->all("failure").size());
      e += static_cast<int>(tc->all("error").size());
      s += static_cast<int>(tc->all("skipped").size());
      for (const auto* fail : tc->all("failure")) EXPECT_FALSE(fail->attributes.at("message").empty());
    }
    EXPECT_EQ(suite->number("tests"), t);
    EXPECT_EQ(suite->number("failures"), f);
    EXPECT_EQ(suite->number("errors"), e);
    EXPECT_EQ(suite->number("skipped"), s);
    EXPECT_EQ(millis(suite->attributes.at("time")), suite_ms);
    tests += t, failures += f, errors += e, skipped += s;
    ms += suite_ms;
  }
  EXPECT_EQ(root.number("tests"), tests);
  EXPECT_EQ(root.number("failures"), failures);
  EXPECT_EQ(root.number("errors"), errors);
  EXPECT_EQ(root.number("skipped"), skipped);
  EXPECT_EQ(millis(root.attributes.at("time")), ms);
}

const Element* testcase(const Element& root, const std::string& suite, const std::string& name) {
  for (const auto& s : root.children) {
    if (s->attributes.at("name") != suite) continue;
    for (const auto& tc : s->children) {
      if (tc->attributes.at("name") == name) return tc.get();
    }
  }
  ADD_FAILURE() << "no testcase " << suite << ": " << name;
  return nullptr;
}

TEST(Junit, ASuitePerStrategyACasePerCellAndPropertyAFailurePerViolation) {
  CellReport clean = clean_cell(), violated = violated_cell(), other = cell_of("single", "pause", 500);
  clean.wall_ms = 1003;  // 9 properties: 111 ms each, the 4 left over on the first
  const std::vector<CellReport> cells = {clean, violated, other};
  const auto root = parse(junit_xml(cells, without_baseline(cells)));
  ASSERT_TRUE(root);
  expect_consistent(*root);
  ASSERT_EQ(root->children.size(), 2u);
  EXPECT_EQ(root->children[0]->attributes.at("name"), "single");
  EXPECT_EQ(root->children[0]->number("tests"), 18);
  EXPECT_EQ(root->children[0]->attributes.at("time"), "1.003");
  EXPECT_EQ(root->children[1]->number("failures"), 2);
  EXPECT_EQ(root->number("tests"), 27);
  const Element* first = testcase(*root, "single", "none / mutex");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->attributes.at("classname"), "lockcheck.single");
  EXPECT_EQ(first->attributes.at("time"), "0.115");
  EXPECT_TRUE(first->children.empty());
  const Element* owner = testcase(*root, "del-unchecked", "pause+drop / owner");
  ASSERT_TRUE(owner);
  const Element* failure = owner->first("failure");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->attributes.at("message"), "owner violated: shrunk: owner broke at seed 0x2c");
  EXPECT_EQ(failure->attributes.at("type"), "violation");
  EXPECT_EQ(
      failure->text,
      "SEED=0x2c\nTRACE=0000000000000ae8\nowner: shrunk: owner broke at seed 0x2c\n"
      "violated on 1 of 60 seeds, lowest 0x2c\nreplay: lockcheck replay out/del-unchecked-pause_drop-owner.json\n");
}

TEST(Junit, NotJudgedIsSkippedAndAHarnessFaultIsAnError) {
  CellReport some = violated_cell();
  some.result.spec.properties = {properties::Property::kResource, properties::Property::kOwner};
  for (auto& p : some.result.properties) p.judged = p.property == properties::Property::kResource || p.property == properties::Property::kOwner;
  CellReport fault = clean_cell();
  fault.result.nondeterministic = true;
  fault.result.nondeterminism = "seed 0x5 ran twice with different outcomes";
  const std::vector<CellReport> cells = {some, fault};
  const auto root = parse(junit_xml(cells, without_baseline(cells)));
  ASSERT_TRUE(root);
  expect_consistent(*root);
  EXPECT_EQ(root->number("skipped"), 7);  // 9 properties, 2 judged
  EXPECT_EQ(root->number("errors"), 9);
  EXPECT_EQ(root->number("failures"), 2);
  const Element* skipped = testcase(*root, "del-unchecked", "pause+drop / mutex");
  ASSERT_TRUE(skipped && skipped->first("skipped"));
  const Element* error = testcase(*root, "single", "none / mutex");
  ASSERT_TRUE(error && error->first("error"));
  EXPECT_EQ(error->first("error")->attributes.at("message"),
            "harness fault: seed 0x5 ran twice with different outcomes");
}

TEST(Junit, AgainstABaselineExpectedViolationsPassAndSayItAndChangesFail) {
  CellReport clean = clean_cell(), violated = violated_cell();
  const std::vector<CellReport> before = {clean, violated};
  auto b = parse_baseline(baseline_json(before, "lockcheck run -q --write-baseline b.json").value(), "b.json");
  ASSERT_TRUE(b.ok());
  auto same = compare_with_baseline(before, b.value(), "b.json");
  ASSERT_TRUE(same.ok());
  const auto root = parse(junit_xml(before, same.value()));
  ASSERT_TRUE(root);
  expect_consistent(*root);
  EXPECT_EQ(root->number("failures"), 0);
  const Element* expected = testcase(*root, "del-unchecked", "pause+drop / owner (expected violation)");
  ASSERT_TRUE(expected);
  EXPECT_TRUE(expected->all("failure").empty());
  ASSERT_TRUE(expected->first("system-out"));
  EXPECT_NE(expected->first("system-out")->text.find("SEED=0x2c\nTRACE=0000000000000ae8\n"), std::string::npos);

  // single / none now violates mutex (a regression); del-unchecked no
  // longer violates owner (an improvement): both fail.
  CellReport regressed = clean_cell();
  violate(&regressed, "mutex", 0x7, 2, "out");
  CellReport improved = cell_of("del-unchecked", "pause+drop", 60);
  violate(&improved, "resource", 0x2a, 3, "out");
  const std::vector<CellReport> now = {regressed, improved};
  auto changed = compare_with_baseline(now, b.value(), "b.json");
  ASSERT_TRUE(changed.ok());
  const auto root2 = parse(junit_xml(now, changed.value()));
  ASSERT_TRUE(root2);
  expect_consistent(*root2);
  EXPECT_EQ(root2->number("failures"), 2);
  const Element* regression = testcase(*root2, "single", "none / mutex");
  ASSERT_TRUE(regression && regression->first("failure"));
  EXPECT_EQ(regression->first("failure")->attributes.at("type"), "regression");
  EXPECT_EQ(regression->first("failure")->attributes.at("message").rfind("mutex violated (regression", 0), 0u);
  const Element* improvement = testcase(*root2, "del-unchecked", "pause+drop / owner");
  ASSERT_TRUE(improvement && improvement->first("failure"));
  EXPECT_EQ(improvement->first("failure")->attributes.at("type"), "improvement");
  EXPECT_NE(improvement->first("failure")->text.find("lockcheck run -q --write-baseline b.json"), std::string::npos);
  ASSERT_TRUE(testcase(*root2, "del-unchecked", "pause+drop / resource (expected violation)"));
}

TEST(Junit, EveryTextIsEscapedAndReadsBackAsWritten) {
  CellReport c = cell_of("we<ird>&\"'", "pause\x01", 10);
  violate(&c, "mutex", 0x3, 1, "dir with <tags>");
  c.result.properties[index_of(c, "mutex")].counterexample->explanation = "a < b && c > \"d\"\tand 'e'";
  const std::vector<CellReport> cells = {c};
  const std::string xml = junit_xml(cells, without_baseline(cells));
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  const auto root = parse(xml);
  ASSERT_TRUE(root);
  expect_consistent(*root);
  EXPECT_EQ(root->children[0]->attributes.at("name"), "we<ird>&\"'");
  const Element* tc = testcase(*root, "we<ird>&\"'", "pause? / mutex");
  ASSERT_TRUE(tc && tc->first("failure"));
  EXPECT_EQ(tc->first("failure")->attributes.at("message"), "mutex violated: a < b && c > \"d\"\tand 'e'");
  EXPECT_NE(tc->first("failure")->text.find("replay: lockcheck replay 'dir with <tags>/"), std::string::npos)
      << tc->first("failure")->text;
}

}  // namespace
}  // namespace lockcheck::reports
