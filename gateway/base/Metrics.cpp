#include "Metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dad {

namespace {

const char* const kProtocolNames[] = {"sftp", "ftp", "ftps", "webdav", "https", "http", "other"};

std::string number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        return std::to_string(static_cast<long long>(value));
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

std::string escapeLabel(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

MetricProtocol metricProtocol(const std::string& protocol) {
    for (size_t i = 0; i + 1 < kMetricProtocols; ++i) {
        if (protocol == kProtocolNames[i]) return static_cast<MetricProtocol>(i);
    }
    return MetricProtocol::Other;
}

const char* metricProtocolName(MetricProtocol protocol) {
    return kProtocolNames[std::min(static_cast<size_t>(protocol), kMetricProtocols - 1)];
}

GaugeHold& GaugeHold::operator=(GaugeHold&& other) noexcept {
    if (this != &other) {
        release();
        gauge_ = other.gauge_;
        other.gauge_ = nullptr;
    }
    return *this;
}

void GaugeHold::release() {
    if (gauge_ != nullptr) gauge_->add(-1);
    gauge_ = nullptr;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::observe(double seconds) {
    const size_t bucket =
        std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sumMicros_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6),
                         std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative() const {
    std::vector<uint64_t> counts;
    uint64_t total = 0;
    for (const auto& bucket : buckets_) {
        total += bucket.load(std::memory_order_relaxed);
        counts.push_back(total);
    }
    return counts;
}

double Histogram::sum() const {
    return static_cast<double>(sumMicros_.load(std::memory_order_relaxed)) / 1e6;
}

void PrometheusText::family(const std::string& name, const std::string& type,
                            const std::string& help) {
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusText::sample(const std::string& name,
                            const std::vector<std::pair<std::string, std::string>>& labels,
                            double value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            if (i > 0) text_ += ',';
            text_ += labels[i].first + "=\"" + escapeLabel(labels[i].second) + '"';
        }
        text_ += '}';
    }
    text_ += ' ' + number(value) + '\n';
}

void PrometheusText::histogram(const std::string& name, const std::string& help,
                               const Histogram& histogram) {
    family(name, "histogram", help);
    const std::vector<uint64_t> counts = histogram.cumulative();
    const std::vector<double>& bounds = histogram.bounds();
    for (size_t i = 0; i < bounds.size(); ++i) {
        sample(name + "_bucket", {{"le", number(bounds[i])}}, static_cast<double>(counts[i]));
    }
    sample(name + "_bucket", {{"le", "+Inf"}}, static_cast<double>(counts.back()));
    sample(name + "_sum", histogram.sum());
    sample(name + "_count", static_cast<double>(counts.back()));
}

}  // namespace dad
