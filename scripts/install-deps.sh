#!/usr/bin/env bash
# install-deps.sh - install everything rtnoise needs to build, test and demo
#
# Idempotent; for a fresh Debian 12 (bookworm) machine, run as root.
# Installs both Debian kernels with their headers (the VM tests boot them),
# the BPF toolchain, the C++ build and test dependencies, the packaging
# tools (CPack's .deb, DKMS and pahole, which the module's BTF step runs
# on kernels built with it, lintian, help2man, the shells whose completion
# is tested), debootstrap (scripts/kernels.sh), the libraries of the report
# formats and of
# `monitor` ({fmt}, yaml-cpp, cpp-httplib, libsystemd), Google Benchmark,
# promtool and a headless Chromium for the output tests, systemd-analyze
# for the unit file, QEMU and virtme-ng.
#
#   scripts/install-deps.sh [PACKAGE...]
#
# PACKAGEs are installed too (scripts/debug-kernel.sh adds a kernel
# build's). It first looks for what is missing: with nothing missing it
# succeeds as any user; installing needs root, so a user other than root
# gets one line naming what is missing and a non-zero exit.
set -euo pipefail

pkgs=(
	build-essential cmake pkg-config git kmod cpio
	clang clang-format clang-tidy shellcheck llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libclang-rt-dev
	libcli11-dev libgtest-dev libgmock-dev nlohmann-json3-dev
	linux-image-amd64 linux-headers-amd64
	linux-image-rt-amd64 linux-headers-rt-amd64
	qemu-system-x86 busybox-static
	rt-tests rtla stress-ng bpftrace libvirt-clients
	python3-argcomplete python3-requests python3-pip
	udev iproute2 procps util-linux
	dkms dpkg-dev fakeroot file lintian help2man man-db groff-base
	dwarves debootstrap
	bash-completion zsh
	libfmt-dev libyaml-cpp-dev libcpp-httplib-dev libsystemd-dev libbenchmark-dev
	prometheus chromium curl systemd
	"$@"
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
have_vng=1
command -v vng >/dev/null 2>&1 || have_vng=0

if [ "$(id -u)" -ne 0 ]; then
	need=("${missing[@]}")
	[ "$have_vng" -eq 1 ] || need+=("virtme-ng (vng)")
	if [ ${#need[@]} -gt 0 ]; then
		echo "install-deps.sh: missing ${need[*]}: installing needs root" >&2
		exit 1
	fi
	echo "install-deps.sh: all dependencies present"
	exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$have_vng" -eq 0 ]; then
	python3 -m pip install --quiet virtme-ng ||
		python3 -m pip install --quiet --break-system-packages virtme-ng
fi

# vng needs read access to the kernel images it boots.
chmod a+r /boot/vmlinuz-* 2>/dev/null || true

echo "install-deps.sh: all dependencies present"
