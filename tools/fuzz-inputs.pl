#!/usr/bin/env perl
# SPDX-License-Identifier: GPL-3.0-or-later
# exlink's input fuzzer: write SQL that feeds random and damaged inputs to every exlink
# function and aggregate (called by tools/fuzz.sh, which runs it and reads the server log).
#   usage: fuzz-inputs.pl SEED CASES SIGNATURES SAMPLES OUTDIR [ascii]
# SIGNATURES: "kind|name|type,type,..." per exlink function (prokind, proname, argument types).
# SAMPLES: "type|text" valid values made by exlink (moments, driver_model, ...), and
# "bin|hex" binary forms of moments values: the seeds of the mutations.
# Writes OUTDIR/setup.sql (the fixture table fuzz_rows), OUTDIR/cases.sql (one case per line,
# CASES of them) and OUTDIR/bin/*.bin (COPY BINARY files of damaged binary moments values).
# With "ascii" (an SQL_ASCII database) labels may hold bytes that are not UTF-8.
# Deterministic for a given SEED (Perl's rand, seeded).
use strict;
use warnings;

my ($seed, $cases, $sigfile, $samplefile, $out, $ascii) = @ARGV;
die "usage: fuzz-inputs.pl SEED CASES SIGNATURES SAMPLES OUTDIR [ascii]\n" unless defined $out;
$ascii = defined $ascii && $ascii eq 'ascii';
srand($seed);

sub pick { return $_[int(rand(@_))] }
sub chance { return rand() < $_[0] }
sub q_lit { my $s = shift; $s =~ s/'/''/g; return "'$s'" }

# --- values ----------------------------------------------------------------------------------
my @special = ('0', '-0', '1', '-1', 'NaN', 'Infinity', '-Infinity', '1e308', '-1e308',
               '1.7976931348623157e308', '5e-324', '-5e-324', '2.2250738585072014e-308',
               '1e-310', '4.9e-324', '1e-300', '9007199254740993', '-9007199254740993', '0.5');

sub num {                          # a float8 as SQL text (unquoted), special values often
    return pick(@special) if chance(0.35);
    return sprintf('%.17g', (rand() - 0.5) * 10 ** int(rand(12) - 4));
}

sub float8 {
    return 'NULL::float8' if chance(0.08);
    my $v = num();
    return $v =~ /^[-0-9.e]+$/ && $v !~ /^-/ ? "$v\::float8" : "'$v'::float8";
}

sub dim { return pick(0, 1, 1, 2, 2, 3, 4, 5, 8, 16, 32, 62, 63, 64, 65, int(rand(70))) }

sub float8_array {
    my ($d) = @_;
    $d = dim() unless defined $d;
    return 'NULL::float8[]' if chance(0.04);
    my @e = map { chance(0.06) ? 'NULL' : num() } 1 .. $d;
    my $body = join(',', @e);
    return "'[0:" . ($d - 1) . "]={$body}'::float8[]" if $d > 0 && chance(0.03);   # odd lower bound
    return "'{{$body},{$body}}'::float8[]" if $d > 0 && chance(0.03);                # 2-D
    return "'{$body}'::float8[]";
}

my $max_label = 12000;             # shorter while writing the fixture table
sub label {                        # member IDs, names: empty, long, odd bytes, quotes
    my $r = rand();
    return '' if $r < 0.05;
    return 'x' x (1 + int(rand($max_label))) if $r < 0.10;
    return join('', map { chr(128 + int(rand(128))) } 1 .. 1 + int(rand(20))) if $ascii && $r < 0.2;
    return pick('Zoë', '日本語', "a'b", 'a"b', 'a,b', '{x}', '  ', "tab\there", '\\', 'NULL', 'null')
        if $r < 0.3;
    return 'e' . int(rand(pick(3, 10, 50, 2000)));
}

sub text_arg { return chance(0.06) ? 'NULL::text' : q_lit(label()) . '::text' }

sub text_array {
    my ($d) = @_;
    $d = dim() unless defined $d;
    return 'NULL::text[]' if chance(0.05);
    my @e = map { chance(0.05) ? 'NULL' : do { my $s = label(); $s =~ s/(["\\])/\\$1/g; "\"$s\"" } } 1 .. $d;
    @e = ('"same"') x $d if $d > 1 && chance(0.05);
    return q_lit('{' . join(',', @e) . '}') . '::text[]';
}

sub int_arg {
    return 'NULL::integer' if chance(0.05);
    return pick('-2147483648', '-1', '0', '1', '2', '3', '5', '7', '100', '1000', '1001', '65',
                '64', '2147483647', int(rand(20))) . '::integer';
}

sub int_array {
    my @e = map { chance(0.05) ? 'NULL' : pick(-1, 0, 1, 1, 2, 3, 64, 65, 2147483647, int(rand(6))) } 1 .. dim();
    return q_lit('{' . join(',', @e) . '}') . '::integer[]';
}

sub bigint_array {
    my ($d) = @_;
    my @e = map { chance(0.05) ? 'NULL' : pick(-1, 0, 1, 4, 5, 1000, '9223372036854775807', int(rand(20))) } 1 .. $d;
    return q_lit('{' . join(',', @e) . '}') . '::bigint[]';
}

sub bigint_arg {
    return 'NULL::bigint' if chance(0.08);
    return pick('-9223372036854775808', '-1', '0', '1', '7', '42', '20261207', '4294967296',
                '9223372036854775807', int(rand(1000))) . '::bigint';
}

sub bytea_arg {
    return 'NULL::bytea' if chance(0.1);
    return "'\\x" . join('', map { sprintf('%02x', int(rand(256))) } 1 .. pick(0, 1, 16, 31, 32, 33, 64, int(rand(100)))) . "'::bytea";
}

sub name_arg { return q_lit(pick('x', 'y', 'g', 'member', 'arr', 'names', 'gender', 'nope', '', 'a' x 70, label())) . '::name' }

sub name_array {
    my @e = map { my $s = pick('x', 'y', 'g', 'member', 'gender', 'birth_date', 'nope', 'x'); "\"$s\"" } 1 .. pick(0, 1, 1, 2, 3);
    return q_lit('{' . join(',', @e) . '}') . '::name[]';
}

sub regclass_arg {
    return 'NULL::regclass' if chance(0.05);
    return pick(q_lit('fuzz_rows') . '::regclass', q_lit('fuzz_src') . '::regclass',
                q_lit('pg_class') . '::regclass', q_lit('exlink.publications') . '::regclass',
                '(SELECT object FROM exlink.publications ORDER BY random() LIMIT 1)',
                q_lit('fuzz_view') . '::regclass', '0::regclass', '1259::regclass');
}

# --- moments: well-formed shapes with wild numbers, and damaged real values ----------------
my (%samples, @bins);
open(my $sf, '<', $samplefile) or die "$samplefile: $!";
while (<$sf>) {
    chomp;
    my ($type, $v) = split /\|/, $_, 2;
    next unless defined $v;
    if ($type eq 'bin') { push @bins, pack('H*', $v) } else { push @{ $samples{$type} }, $v }
}
close $sf;

sub moments_text_generated {
    my $p = dim();
    my $t = $p * ($p + 1) / 2;
    $p += pick(0, 0, 0, 1, -1) if chance(0.2);
    my $n = pick(0, 1, 2, 5, 1000, -1, '9223372036854775807', '1e300', int(rand(1000)));
    my $members = pick('null', 0, 1, 4, 5, 1000, 1001, -1, -2, $n);
    my @mean = map { num() } 1 .. ($p > 0 ? $p : 0);
    my @com = map { num() } 1 .. $t;
    my $s = "{\"p\":$p,\"n\":$n,\"skipped\":" . pick(0, 0, 1, -1) . ",\"members\":$members,\"mean\":["
          . join(',', @mean) . '],"comoment":[' . join(',', @com) . ']';
    $s .= ',"names":[' . join(',', map { my $l = label(); $l =~ s/(["\\])/\\$1/g; "\"$l\"" } 1 .. $p) . ']' if chance(0.2);
    return $s . '}';
}

sub mutate_text {
    my ($s) = @_;
    for (1 .. 1 + int(rand(3))) {
        my $r = rand();
        my $at = int(rand(length($s) + 1));
        if ($r < 0.25) { $s = substr($s, 0, $at) }                                        # truncate
        elsif ($r < 0.45) { $s =~ s/(-?[0-9][0-9.e+-]*)/chance(0.3) ? num() : $1/ge }      # numbers
        elsif ($r < 0.55) { substr($s, $at, 0) = pick('{', '}', '[', ']', ',', '"', ':', '\\', ' ', 'null', '1e999', "\"x\":1,") }
        elsif ($r < 0.65 && length($s)) { substr($s, $at, 1) = '' }
        elsif ($r < 0.75) { $s = substr($s, 0, $at) . substr($s, $at) x 2 }                 # duplicate a tail
        elsif ($r < 0.85) { $s =~ s/"(\w+)":/chance(0.2) ? '"' . pick('p', 'n', 'mean', 'zzz', 'members', '') . '":' : "\"$1\":"/ge }
        else { $s = join('', map { chr(32 + int(rand(95))) } 1 .. int(rand(60))) }        # garbage
    }
    return $s;
}

sub moments_text {
    return moments_text_generated() if chance(0.4) || !$samples{moments};
    my $s = pick(@{ $samples{moments} });
    return chance(0.15) ? $s : mutate_text($s);
}

sub moments_arg {
    return 'NULL::exlink.moments' if chance(0.05);
    return '(SELECT m FROM fuzz_bin LIMIT 1)' if chance(0.1);
    return q_lit(moments_text()) . '::exlink.moments';
}

sub mutate_bin {
    my ($b) = @_;
    for (1 .. 1 + int(rand(3))) {
        my $r = rand();
        my $at = int(rand(length($b) + 1));
        if ($r < 0.25) { $b = substr($b, 0, $at) }
        elsif ($r < 0.5 && length($b)) { substr($b, $at % length($b), 1) = chr(int(rand(256))) }
        elsif ($r < 0.7 && length($b) >= 4) {                           # an extreme integer field
            my $w = pick(1, 2, 4, 8);
            substr($b, $at % (length($b) - 3), $w) = substr(pick("\xff" x 8, "\x7f" . "\xff" x 7, "\x80" . "\0" x 7, "\0" x 8, "\0\0\0\x41" x 2), 0, $w);
        }
        elsif ($r < 0.8) { $b .= join('', map { chr(int(rand(256))) } 1 .. int(rand(40))) }
        elsif ($r < 0.9 && length($b) >= 8) {                           # a special double
            substr($b, $at % (length($b) - 7), 8) = pick(pack('d>', 9**9**9), pack('d>', -9**9**9), pack('d>', (9**9**9) / (9**9**9)),
                                                         pack('d>', -0.0), pack('d>', 5e-324), pack('d>', 1e308));
        }
        else { $b = join('', map { chr(int(rand(256))) } 1 .. int(rand(80))) }
    }
    return $b;
}

# --- one call of a function or aggregate -----------------------------------------------------
my %gen = (
    'double precision'   => \&float8,
    'double precision[]' => sub { float8_array() },
    'text'               => \&text_arg,
    'text[]'             => sub { text_array() },
    'integer'            => \&int_arg,
    'integer[]'          => \&int_array,
    'bigint'             => \&bigint_arg,
    'bigint[]'           => sub { bigint_array(dim()) },
    'bytea'              => \&bytea_arg,
    'name'               => \&name_arg,
    'name[]'             => \&name_array,
    'boolean'            => sub { pick('true', 'false', 'NULL::boolean') },
    'regclass'           => \&regclass_arg,
    'exlink.moments'     => \&moments_arg,
    'cstring'            => sub { q_lit(moments_text()) . '::cstring' },
);

sub arg_for {
    my ($type) = @_;
    return $gen{$type}->() if $gen{$type};
    if ($samples{$type} && !chance(0.1)) {
        my $s = pick(@{ $samples{$type} });
        return q_lit(chance(0.5) ? $s : mutate_text($s)) . "::$type";
    }
    return "NULL::$type";
}

my @sigs;
open(my $gf, '<', $sigfile) or die "$sigfile: $!";
while (<$gf>) {
    chomp;
    my ($kind, $name, $types) = split /\|/, $_, 3;
    next unless defined $types;
    push @sigs, [$kind, $name, [grep { length } split /,/, $types]];
}
close $gf;
die "no exlink functions in $sigfile\n" unless @sigs;

# An aggregate's arguments from the sixth on (driver_weights' groups, bootstrap draws, seed) are
# read once from the call and must be constants: mostly written as literals, so that the final
# functions behind that check (groups, bootstrap) are fuzzed too; groups mostly one per driver.
sub direct_arg {
    my ($t, $d) = @_;
    return q_lit(pick('cluster', 'cr1', 'independent', 'small-sample', 'CR2', '')) . '::text'
        if $t eq 'text' && chance(0.9);
    if ($t eq 'text[]' && chance(0.8)) {
        my $n = chance(0.85) ? $d : dim();
        my @e = map { pick('a', 'b', 'c', 'a', "g$_", '', 'x' x 70) } 1 .. $n;
        $e[int(rand($n))] = 'NULL' if $n && chance(0.05);
        return q_lit('{' . join(',', map { $_ eq 'NULL' ? $_ : "\"$_\"" } @e) . '}') . '::text[]';
    }
    return pick('0', '1', '2', '5', '30', '-1', '100000', '100001', '2147483647', 'NULL') . '::integer'
        if $t eq 'integer' && chance(0.8);
    return arg_for($t);
}

sub is_direct {                   # the fifth argument, inference (text), mostly a valid name
    my ($kind, $i, $t) = @_;
    return $kind eq 'a' && ($i >= 5 || ($i == 4 && $t eq 'text')) && chance(0.85);
}

# Aggregate over fuzz_rows (parallel plans forced by the caller): columns by argument type.
my %col = ('double precision' => ['y', 'x'], 'double precision[]' => ['arr'], 'text' => ['member'],
           'text[]' => ['names']);

sub call {
    my ($kind, $name, $types) = @{ $_[0] };
    if ($kind ne 'a') {
        return "SELECT exlink.$name(" . join(', ', map { arg_for($_) } @$types) . ');';
    }
    if (chance(0.15)) {            # the fixture table: many rows, parallel workers, combine/serial
        my %used;
        my @a = map { my $t = $types->[$_]; my $c = $col{$t};
                      is_direct($kind, $_, $t) ? direct_arg($t, pick(1, 2, 3, 5, 10))
                    : $c ? $c->[$used{$t}++ % @$c] : arg_for($t) } 0 .. $#$types;
        my $g = int(rand(24));
        return "SELECT g, exlink.$name(" . join(', ', @a) . ") FROM fuzz_rows WHERE g % 24 = $g GROUP BY g;"
            if chance(0.3);
        return "SELECT exlink.$name(" . join(', ', @a) . ") FROM fuzz_rows WHERE g = $g;";
    }
    # a VALUES list: one dimension per statement (mostly), rows with wild values
    my $rows = pick(0, 1, 2, 3, 5, 6, 10, 30, int(rand(60)));
    my $d = dim();
    my @cols = map { "c$_" } 1 .. @$types;
    for my $i (0 .. $#$types) { $cols[$i] = direct_arg($types->[$i], $d) if is_direct($kind, $i, $types->[$i]) }
    my @vals;
    for (1 .. ($rows || 1)) {
        push @vals, '(' . join(', ', map {
            my $t = $types->[$_];
            $t eq 'double precision[]' ? float8_array(chance(0.9) ? $d : undef)
          : $t eq 'text[]' ? text_array(chance(0.9) ? $d : undef)
          : $t eq 'text' && chance(0.8) ? q_lit('m' . int(rand(pick(2, 5, 8, 40)))) . '::text'
          : arg_for($t)
        } 0 .. $#$types) . ')';
    }
    my $where = $rows ? '' : ' WHERE false';
    my $order = chance(0.2) ? ' ORDER BY 1' : '';
    my $select = "exlink.$name(" . join(', ', @cols) . ")";
    $select = "(exlink.$name(" . join(', ', @cols) . ")).*" if chance(0.2);
    return "SELECT $select FROM (VALUES " . join(', ', @vals) . ") v(" . join(', ', map { "c$_" } 1 .. @$types) . ")$where$order;";
}

# --- output ----------------------------------------------------------------------------------
mkdir "$out/bin";
open(my $setup, '>', "$out/setup.sql") or die $!;
print $setup "DROP TABLE IF EXISTS fuzz_rows, fuzz_bin, fuzz_src CASCADE;\n";
print $setup "CREATE TABLE fuzz_bin (m exlink.moments);\n";
print $setup "CREATE TABLE fuzz_src (g text, x float8, y float8, member text, gender text);\n";
print $setup "INSERT INTO fuzz_src SELECT 'g' || (i % 7), i % 11, (i * 7) % 13, 'e' || (i % 40), 'f' FROM generate_series(1, 700) i;\n";
print $setup "CREATE OR REPLACE VIEW fuzz_view AS SELECT g, avg(x) FROM fuzz_src GROUP BY g;\n";
print $setup "CREATE TABLE fuzz_rows (g int, x float8, y float8, arr float8[], member text, names text[]);\n";
$max_label = 100;
for my $g (0 .. 47) {              # 48 groups, each with its own dimension and member spread
    my $d = $g < 24 ? pick(1, 2, 3, 5, 10) : dim();
    my $members = pick(1, 3, 4, 5, 6, 20, 500);
    my $names = chance(0.3) ? text_array($d) : q_lit('{' . join(',', map { "v$_" } 1 .. $d) . '}');
    my @rows;
    for my $i (1 .. pick(1, 5, 50, 200)) {
        my $plain = chance(0.97);
        my @e = map { $plain ? sprintf('%.6g', rand(10)) : (chance(0.2) ? 'NULL' : num()) } 1 .. $d;
        push @rows, "($g, " . ($plain ? sprintf('%.6g', rand(10)) : float8()) . ', '
            . ($plain ? sprintf('%.6g', rand(10)) : float8()) . ", '{" . join(',', @e) . "}', "
            . q_lit('e' . int(rand($members))) . ", $names)";
    }
    print $setup "INSERT INTO fuzz_rows VALUES " . join(",\n  ", @rows) . ";\n";
}
print $setup "ANALYZE fuzz_rows;\n";
$max_label = 12000;
close $setup;

open(my $cf, '>', "$out/cases.sql") or die $!;
my $bin_no = 0;
for my $i (1 .. $cases) {
    if (@bins && chance(0.12)) {   # a damaged binary value, loaded with COPY BINARY, then used
        my $b = chance(0.1) ? pick(@bins) : mutate_bin(pick(@bins));
        my $file = sprintf("$out/bin/%06d.bin", ++$bin_no);
        open(my $bf, '>:raw', $file) or die $!;
        print $bf "PGCOPY\n\xff\r\n\0", pack('N', 0), pack('N', 0), pack('n', 1), pack('N', length $b), $b, pack('n', 0xffff);
        close $bf;
        print $cf "DELETE FROM fuzz_bin; \\copy fuzz_bin FROM '$file' WITH (FORMAT binary)\n";
        my @m = grep { grep { $_ eq 'exlink.moments' } @{ $_->[2] } } @sigs;
        print $cf "SELECT exlink.moments_send(m) = exlink.moments_send(m::text::exlink.moments) FROM fuzz_bin;\n";
        print $cf call(pick(@m)), "\n" for 1 .. 2;
        next;
    }
    my $line = call(pick(@sigs));
    $line =~ s/\n/ /g;
    print $cf $line, "\n";
}
close $cf;
