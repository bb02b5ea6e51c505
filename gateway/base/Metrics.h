// Metrics: the numbers dadgate exports at /metrics, in one small registry
// per Gateway. Lock-free (relaxed atomics): a hot path pays one atomic add.
// Each number is changed at the one place its event happens (the session
// layer for sessions, transfers and logins; Db for commits), never per
// protocol front. PrometheusText writes the text exposition format.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dad {

// The protocols a metric is labelled with; anything else is "other".
enum class MetricProtocol : size_t { Sftp, Ftp, Ftps, Webdav, Https, Http, Other, Count };
MetricProtocol metricProtocol(const std::string& protocol);
const char* metricProtocolName(MetricProtocol protocol);
constexpr size_t kMetricProtocols = static_cast<size_t>(MetricProtocol::Count);

class Counter {
public:
    void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

class Gauge {
public:
    void add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<int64_t> value_{0};
};

// One count of a gauge, held until release() or destruction (a session
// open, a transfer in progress). Movable, not copyable.
class GaugeHold {
public:
    GaugeHold() = default;
    explicit GaugeHold(Gauge& gauge) : gauge_(&gauge) { gauge_->add(1); }
    GaugeHold(GaugeHold&& other) noexcept : gauge_(other.gauge_) { other.gauge_ = nullptr; }
    GaugeHold& operator=(GaugeHold&& other) noexcept;
    GaugeHold(const GaugeHold&) = delete;
    GaugeHold& operator=(const GaugeHold&) = delete;
    ~GaugeHold() { release(); }
    void release();

private:
    Gauge* gauge_ = nullptr;
};

// Durations in seconds, in fixed buckets (upper bounds, ascending).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double seconds);
    const std::vector<double>& bounds() const { return bounds_; }
    // Cumulative counts: the observations <= bounds()[i], then the total.
    std::vector<uint64_t> cumulative() const;
    double sum() const;

private:
    std::vector<double> bounds_;
    std::vector<std::atomic<uint64_t>> buckets_;  // one more than bounds_: +Inf
    std::atomic<uint64_t> sumMicros_{0};
};

template <class T>
using PerProtocol = std::array<T, kMetricProtocols>;

struct Metrics {
    PerProtocol<Gauge> sessions;   // logged-in sessions open now
    PerProtocol<Gauge> transfers;  // uploads and downloads in progress
    PerProtocol<Counter> bytesReceived;
    PerProtocol<Counter> bytesSent;
    PerProtocol<Counter> uploads;    // committed
    PerProtocol<Counter> downloads;  // read streams of stored files closed
    PerProtocol<Counter> failedLogins;
    Counter policyErrors;  // script failures and denials for an error
    Histogram catalogCommitSeconds{
        {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}};

    Gauge& sessionsOf(const std::string& p) { return sessions[index(p)]; }
    Gauge& transfersOf(const std::string& p) { return transfers[index(p)]; }
    static size_t index(const std::string& p) { return static_cast<size_t>(metricProtocol(p)); }
};

// The Prometheus text format (version 0.0.4): a family's HELP and TYPE, then
// its samples. Label values are escaped.
class PrometheusText {
public:
    void family(const std::string& name, const std::string& type, const std::string& help);
    void sample(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& labels, double value);
    void sample(const std::string& name, double value) { sample(name, {}, value); }
    // Writes a whole per-protocol family (every protocol, zeros included).
    template <class T>
    void perProtocol(const std::string& name, const std::string& type, const std::string& help,
                     const PerProtocol<T>& values) {
        family(name, type, help);
        for (size_t i = 0; i < kMetricProtocols; ++i) {
            sample(name, {{"protocol", metricProtocolName(static_cast<MetricProtocol>(i))}},
                   static_cast<double>(values[i].value()));
        }
    }
    void histogram(const std::string& name, const std::string& help, const Histogram& histogram);
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

}  // namespace dad
