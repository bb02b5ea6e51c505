// escapeMarkup: the one escaper of the WebDAV replies and the package pages.
#include <cppunit/extensions/HelperMacros.h>

#include "DavXml.h"
#include "MarkupEscape.h"

using dad::escapeMarkup;

class MarkupEscapeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MarkupEscapeTest);
    CPPUNIT_TEST(testEveryMarkupCharacterEscaped);
    CPPUNIT_TEST(testPlainTextAndUtf8Unchanged);
    CPPUNIT_TEST(testAttributeCannotBeClosedWithEitherQuote);
    CPPUNIT_TEST(testCarriageReturnSurvivesAnXmlParser);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEveryMarkupCharacterEscaped() {
        CPPUNIT_ASSERT_EQUAL(std::string("&amp;&lt;&gt;&quot;&#39;&#13;\n\t"),
                             escapeMarkup("&<>\"'\r\n\t"));
        // Already escaped text is escaped again, not passed through.
        CPPUNIT_ASSERT_EQUAL(std::string("&amp;amp;"), escapeMarkup("&amp;"));
    }
    void testPlainTextAndUtf8Unchanged() {
        CPPUNIT_ASSERT_EQUAL(std::string(""), escapeMarkup(""));
        const std::string text = "Report 2026 \xc3\xa9t\xc3\xa9 \xef\xbc\x8f ok";
        CPPUNIT_ASSERT_EQUAL(text, escapeMarkup(text));
    }
    void testAttributeCannotBeClosedWithEitherQuote() {
        const std::string name = "x' onmouseover='alert(1)\" onclick=\"alert(2)";
        const std::string escaped = escapeMarkup(name);
        CPPUNIT_ASSERT(escaped.find('\'') == std::string::npos);
        CPPUNIT_ASSERT(escaped.find('"') == std::string::npos);
        CPPUNIT_ASSERT(escaped.find('<') == std::string::npos);
    }
    void testCarriageReturnSurvivesAnXmlParser() {
        // In element content (a dead property's value) CR LF and a lone CR come back.
        const std::string text = "line 1\r\nline 2\r<&>'\"";
        // In an attribute (LF would become a space there, as XML says; we write none).
        const std::string attribute = "a\rb<&>'\"";
        dad::XmlNode root;
        CPPUNIT_ASSERT(dad::DavXml::parse("<v a=\"" + escapeMarkup(attribute) + "\" b='" +
                                              escapeMarkup(attribute) + "'>" + escapeMarkup(text) +
                                              "</v>",
                                          root));
        CPPUNIT_ASSERT_EQUAL(text, root.textContent());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), root.attributes.size());
        CPPUNIT_ASSERT_EQUAL(attribute, root.attributes[0].second);
        CPPUNIT_ASSERT_EQUAL(attribute, root.attributes[1].second);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MarkupEscapeTest);
