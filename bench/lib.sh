# shellcheck shell=bash
# lib.sh - what the native benchmark scripts share (sourced).

# median - the median of the numbers on stdin, one a line
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
