// SPDX-License-Identifier: GPL-2.0
#include "host/procfs.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <string_view>

#include "host/host.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

namespace {

constexpr unsigned long kPfKthread = 0x00200000;
constexpr unsigned long kPfNoSetaffinity = 0x04000000;

bool all_digits(const std::string& s)
{
	return !s.empty() &&
	       std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> read_line(const fs::path& path)
{
	auto text = read_file(path);
	if (!text)
		return std::nullopt;
	std::string line = text->substr(0, text->find('\n'));
	return line;
}

bool parse_stat(const std::string& line, Task& t)
{
	auto open = line.find('(');
	auto close = line.rfind(')');
	if (open == std::string::npos || close == std::string::npos || close < open)
		return false;
	t.comm = escape_name(line.substr(open + 1, close - open - 1));
	std::istringstream in(line.substr(close + 1));
	std::vector<std::string> f;
	for (std::string w; in >> w;)
		f.push_back(w);
	// f[0] is field 3 (state): field n is f[n - 3].
	if (f.size() < 39)
		return false;
	// Whole fields or nothing: a line that is not a stat line is
	// refused, not thrown on (the caller skips that task).
	auto num = [&](int field, auto& out) {
		const std::string& w = f[static_cast<std::size_t>(field - 3)];
		auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), out);
		return ec == std::errc() && end == w.data() + w.size();
	};
	unsigned long flags = 0;
	int processor = 0;
	unsigned rt_priority = 0, policy = 0;
	std::uint64_t start = 0;
	if (!num(9, flags) || !num(22, start) || !num(39, processor) || !num(40, rt_priority) ||
	    !num(41, policy))
		return false;
	t.kthread = flags & kPfKthread;
	t.pinned = flags & kPfNoSetaffinity;
	t.start_time = start;
	t.processor = processor;
	t.rt_priority = rt_priority;
	t.policy = policy;
	return true;
}

std::vector<Task> list_tasks(const fs::path& root)
{
	std::vector<Task> tasks;
	std::error_code ec;
	for (const auto& proc : fs::directory_iterator(root / "proc", ec)) {
		std::string pid = proc.path().filename();
		if (!all_digits(pid))
			continue;
		std::error_code ec2;
		for (const auto& task : fs::directory_iterator(proc.path() / "task", ec2)) {
			std::string tid = task.path().filename();
			if (!all_digits(tid))
				continue;
			Task t;
			t.pid = std::stoi(pid);
			t.tid = std::stoi(tid);
			// The whole file: a comm may hold a newline.
			auto stat = read_file(task.path() / "stat");
			if (!stat || !parse_stat(*stat, t))
				continue;  // exited meanwhile
			std::istringstream status(read_file(task.path() / "status").value_or(""));
			for (std::string l; std::getline(status, l);)
				if (l.rfind("Cpus_allowed_list:", 0) == 0)
					t.allowed = parse_cpulist(l.substr(18), true);
			tasks.push_back(std::move(t));
		}
	}
	std::sort(tasks.begin(), tasks.end(),
		  [](const Task& a, const Task& b) { return a.tid < b.tid; });
	return tasks;
}

namespace {

// unmangle - undo seq_file's mangle_path(): ' ', '\t', '\n' and '\\' in
// a path are printed as \ooo.
std::string unmangle(const std::string& s)
{
	std::string out;
	for (std::size_t i = 0; i < s.size(); i++) {
		auto octal = [&](std::size_t k) { return s[k] >= '0' && s[k] <= '7'; };
		if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1) && octal(i + 2) &&
		    octal(i + 3)) {
			out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
						 (s[i + 3] - '0'));
			i += 3;
		} else {
			out += s[i];
		}
	}
	return out;
}

}  // namespace

std::vector<Swap> parse_swaps(const std::string& text)
{
	std::vector<Swap> swaps;
	std::istringstream in(text);
	std::string l;
	std::getline(in, l);  // the header
	while (std::getline(in, l)) {
		// swap_show() separates the fields with spaces and tabs, and
		// escapes those in a path; any other byte, \v or \r too, is
		// the path's (operator>> would split at it).
		std::vector<std::string> f;
		for (std::size_t at = l.find_first_not_of(" \t"); at != std::string::npos;
		     at = l.find_first_not_of(" \t", at)) {
			const std::size_t end = l.find_first_of(" \t", at);
			f.push_back(l.substr(at, end - at));
			at = end;
		}
		Swap s;
		if (f.size() < 5)
			continue;
		const std::string& prio = f[4];
		auto [end, ec] =
			std::from_chars(prio.data(), prio.data() + prio.size(), s.priority);
		if (ec != std::errc() || end != prio.data() + prio.size())
			continue;
		s.path = unmangle(f[0]);
		s.type = f[1];
		swaps.push_back(std::move(s));
	}
	return swaps;
}

namespace {

// The kernel's isspace(): C's blanks and Latin-1's no-break space.
bool kernel_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || static_cast<unsigned char>(c) == 0xa0;
}

}  // namespace

Cmdline parse_cmdline(const std::string& text)
{
	// As the kernel's parse_args() with next_arg() splits it; a NUL
	// ends it, as it ends the kernel's string.
	Cmdline out;
	std::string_view rest(text.c_str());
	for (;;) {
		while (!rest.empty() && kernel_space(rest.front()))
			rest.remove_prefix(1);
		if (rest.empty())
			break;
		const bool quoted = rest.front() == '"';
		if (quoted)
			rest.remove_prefix(1);
		bool in_quote = quoted;
		std::size_t i = 0;
		std::size_t equals = 0;	 // 0: none (a leading '=' is part of the name)
		for (; i < rest.size(); i++) {
			if (kernel_space(rest[i]) && !in_quote)
				break;
			if (equals == 0 && rest[i] == '=')
				equals = i;
			if (rest[i] == '"')
				in_quote = !in_quote;
		}
		std::string_view word = rest.substr(0, i);
		rest.remove_prefix(i < rest.size() ? i + 1 : i);
		// A closing quote is dropped from the value, or from a word
		// that began with one.
		const bool ends_quote = !word.empty() && word.back() == '"';
		std::string_view key = equals ? word.substr(0, equals) : word;
		std::string_view value;
		if (equals) {
			value = word.substr(equals + 1);
			if (!value.empty() && value.front() == '"') {
				value.remove_prefix(1);
				if (ends_quote && !value.empty())
					value.remove_suffix(1);
			} else if (quoted && ends_quote) {
				value.remove_suffix(1);
			}
		} else if (quoted && ends_quote) {
			key.remove_suffix(1);
		}
		if (!equals && key == "--")
			break;	// the rest is init's
		if (!key.empty())
			out[std::string(key)] = std::string(value);
	}
	return out;
}

Cmdline read_cmdline(const fs::path& root)
{
	return parse_cmdline(read_file(root / "proc/cmdline").value_or(""));
}

CpuSet isolcpus_cpus(const std::string& value)
{
	// The flags come first; the CPU list is what follows the last flag.
	std::string rest = value;
	for (;;) {
		auto comma = rest.find(',');
		std::string head = rest.substr(0, comma);
		if (head.empty() || (head[0] >= '0' && head[0] <= '9'))
			break;
		if (comma == std::string::npos)
			return {};
		rest = rest.substr(comma + 1);
	}
	return parse_cpulist(rest, true);
}

std::vector<std::string> isolcpus_flags(const std::string& value)
{
	std::vector<std::string> flags;
	std::istringstream in(value);
	for (std::string f; std::getline(in, f, ',');) {
		if (f.empty() || (f[0] >= '0' && f[0] <= '9'))
			break;
		flags.push_back(f);
	}
	return flags;
}

namespace {

void parse_config(const std::string& text, KernelConfig& c)
{
	std::istringstream in(text);
	for (std::string l; std::getline(in, l);) {
		if (l.rfind("CONFIG_", 0) != 0)
			continue;
		auto eq = l.find('=');
		if (eq == std::string::npos)
			continue;
		std::string v = l.substr(eq + 1);
		if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
			v = v.substr(1, v.size() - 2);
		c.values[l.substr(7, eq - 7)] = v;
	}
	c.found = true;
}

}  // namespace

KernelConfig read_kernel_config(const fs::path& root)
{
	KernelConfig c;
	std::string release = read_line(root / "proc/sys/kernel/osrelease").value_or("");
	fs::path boot = root / "boot" / ("config-" + release);
	if (auto text = read_file(boot); text && !release.empty()) {
		parse_config(*text, c);
		c.source = "/boot/config-" + release;
		return c;
	}
	fs::path gz = root / "proc/config.gz";
	if (gzFile f = gzopen(gz.c_str(), "rb")) {
		std::string text;
		char buf[65536];
		int n;
		while ((n = gzread(f, buf, sizeof(buf))) > 0)
			text.append(buf, static_cast<std::size_t>(n));
		gzclose(f);
		parse_config(text, c);
		c.source = "/proc/config.gz";
	}
	return c;
}

CpuSet parse_hex_mask(const std::string& text)
{
	CpuSet cpus;
	std::string hex;
	for (char c : text)
		if (std::isxdigit(static_cast<unsigned char>(c)))
			hex += c;
	unsigned bit = 0;
	for (auto it = hex.rbegin(); it != hex.rend(); ++it, bit += 4) {
		unsigned v = std::stoul(std::string(1, *it), nullptr, 16);
		for (unsigned b = 0; b < 4; b++)
			if (v & (1u << b))
				cpus.insert(bit + b);
	}
	return cpus;
}

std::string format_hex_mask(const CpuSet& cpus, unsigned nr_cpus)
{
	unsigned words = std::max(1u, (nr_cpus + 31) / 32);
	std::string out;
	for (unsigned w = words; w-- > 0;) {
		unsigned v = 0;
		for (unsigned b = 0; b < 32; b++)
			if (cpus.count(w * 32 + b))
				v |= 1u << b;
		char buf[16];
		std::snprintf(buf, sizeof(buf), "%08x", v);
		if (!out.empty())
			out += ',';
		out += buf;
	}
	return out;
}

std::string bracketed(const std::string& s)
{
	auto a = s.find('['), b = s.find(']');
	return a != std::string::npos && b != std::string::npos && b > a
		       ? s.substr(a + 1, b - a - 1)
		       : s;
}

}  // namespace rtnoise
