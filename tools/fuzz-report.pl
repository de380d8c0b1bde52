#!/usr/bin/env perl
# SPDX-License-Identifier: GPL-3.0-or-later
# Read a slice of the server log written with log_error_verbosity = verbose (tools/fuzz.sh) and
# count: errors by SQLSTATE class, errors raised by exlink by SQLSTATE, internal errors (XX000)
# raised by exlink, and crashes (server processes killed by a signal or exiting abnormally).
#   usage: fuzz-report.pl LOG START_BYTE SRC_DIR
# An error is exlink's when its LOCATION is in one of exlink's C files (SRC_DIR/*.c), or when it
# is a RAISE in one of exlink's PL/pgSQL functions. Prints "key value" lines (see fuzz.sh).
use strict;
use warnings;

my ($log, $start, $srcdir) = @ARGV;
my %ours = map { (m{([^/]+)$})[0] => 1 } glob("$srcdir/*.c");
open(my $fh, '<:raw', $log) or die "$log: $!";
seek($fh, $start, 0);

my (%pending, %class, %exlink, @crashes, @internal);
my $errors = 0;
my $prefix = qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  (.*)/;

sub finish {
    my ($pid) = @_;
    my $e = delete $pending{$pid} or return;
    $errors++;
    $class{ substr($e->{state}, 0, 2) }++;
    my $loc = $e->{location} // '';
    my ($file) = $loc =~ /, ([\w.]+):\d+$/;
    my $mine = ($file && $ours{$file})
            || (($file // '') eq 'pl_exec.c' && ($e->{context} // '') =~ /PL\/pgSQL function exlink\./);
    if ($mine) {
        $exlink{ $e->{state} }++;
        push @internal, "$e->{state} $e->{message} ($loc)" if $e->{state} =~ /^XX/;
    } elsif ($e->{state} =~ /^XX/ && ($e->{context} // '') =~ /exlink\./) {
        push @internal, "$e->{state} $e->{message} ($loc; in exlink's context)";
    }
}

my $last_crash;
while (my $line = <$fh>) {
    chomp $line;
    if ($line =~ $prefix) {
        my ($pid, $level, $text) = ($1, $2, $3);
        if ($level eq 'ERROR' || $level eq 'FATAL' || $level eq 'PANIC') {
            finish($pid);
            my ($state, $msg) = $text =~ /^([0-9A-Z]{5}): (.*)/ ? ($1, $2) : ('?????', $text);
            $pending{$pid} = { state => $state, message => substr($msg, 0, 200) };
        } elsif ($level eq 'CONTEXT' && $pending{$pid}) {
            $pending{$pid}{context} = $text;
        } elsif ($level eq 'LOCATION' && $pending{$pid}) {
            $pending{$pid}{location} = $text;
            finish($pid);
        } elsif ($level eq 'LOG' && ($text =~ /^server process \(PID \d+\) (was terminated by|exited with exit code)/
                                     || $text =~ /^background worker "[^"]*" \(PID \d+\) (was terminated by|exited with exit code (?!1\b))/)) {
            # (a parallel worker exits with code 1 after an ordinary error: not a crash)
            push @crashes, $text;
            $last_crash = $#crashes;
        } elsif ($level eq 'DETAIL' && defined $last_crash && $text =~ /^Failed process was running: (.*)/) {
            $crashes[$last_crash] .= "; running: " . substr($1, 0, 400);
            undef $last_crash;
        }
    }
}
finish($_) for keys %pending;

print "errors $errors\n";
print "errors_by_class ", (join(' ', map { "$_:$class{$_}" } sort keys %class) || '-'), "\n";
print "exlink_errors ", (join(' ', map { "$_:$exlink{$_}" } sort keys %exlink) || '-'), "\n";
print "crashes ", scalar(@crashes), "\n";
print "internal ", scalar(@internal), "\n";
print "crash $_\n" for @crashes;
print "internal_error $_\n" for @internal;
