;; Element-wise and reduction loops that tfjs-backend-wasm runs slowly or as many small kernels,
;; written with 128-bit wasm SIMD and run on the backend's own heap (the memory is imported, so
;; pointers are tfjs tensors' memory offsets and nothing is copied).
;;
;; Assembled by scripts/build-simd.ts into src/engine/simd/kernels-binary.ts, twice: once as
;; written (for the single-threaded tfjs binary, whose memory is not shared) and once with the
;; memory import declared shared (for the threaded binary). Edit this file, then run
;; `npm run build:simd`; a test fails if the committed binary is not this source's.
;;
;; Every operation is an IEEE float32 operation rounded once (add, mul, div, sqrt), in the order
;; the stock kernels apply them, so results equal tfjs's bit for bit (src/engine/kernels/
;; wasm-adam-update.ts and wasm-reduce.ts say which sequence each one reproduces).
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step over n floats:
  ;;   m' = m·b1 + g·omb1;  v' = v·b2 + (g·g)·omb2
  ;;   x' = ((m'/c1) / (sqrt(v'/c2) + eps))·neglr + x
  ;; with c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ and neglr = −lr. Outputs may not alias inputs.
  (func (export "adam")
    (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $xo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $neglr f32)
    (local $i i32) (local $end i32) (local $vend i32)
    (local $B1 v128) (local $OMB1 v128) (local $B2 v128) (local $OMB2 v128)
    (local $C1 v128) (local $C2 v128) (local $EPS v128) (local $NEGLR v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $OMB1 (f32x4.splat (local.get $omb1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OMB2 (f32x4.splat (local.get $omb2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NEGLR (f32x4.splat (local.get $neglr)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
            (f32x4.mul (local.get $gv) (local.get $OMB1))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $OMB2))))
        (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $xo) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (local.get $C1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $C2))) (local.get $EPS)))
              (local.get $NEGLR))
            (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $omb1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $omb2))))
        (f32.store (i32.add (local.get $mo) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $xo) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps)))
              (local.get $neglr))
            (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))

  ;; Column sums of a row-major rows × cols matrix, each divided by `div` (1 for a sum, the row
  ;; count for a mean): dst[c] = (((0 + src[0][c]) + src[1][c]) + …) / div — the order of tfjs
  ;; wasm's Sum and Mean after they transpose the reduced axes innermost. Columns go 16 at a time
  ;; (four accumulators: one 64-byte line per row), then 4, then 1.
  (func (export "colsum")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $div f32)
    (local $stride i32) (local $c i32) (local $p i32) (local $r i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $D v128)
    (local $s f32)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $D (f32x4.splat (local.get $div)))
    ;; 16 columns per pass
    (block $done16
      (loop $cols16
        (br_if $done16 (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $cols)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone16
          (loop $rows16
            (br_if $rdone16 (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 (local.get $p))))
            (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
            (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
            (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows16)))
        (local.set $p (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
        (v128.store offset=0 (local.get $p) (f32x4.div (local.get $a0) (local.get $D)))
        (v128.store offset=16 (local.get $p) (f32x4.div (local.get $a1) (local.get $D)))
        (v128.store offset=32 (local.get $p) (f32x4.div (local.get $a2) (local.get $D)))
        (v128.store offset=48 (local.get $p) (f32x4.div (local.get $a3) (local.get $D)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols16)))
    ;; 4 columns per pass
    (block $done4
      (loop $cols4
        (br_if $done4 (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone4
          (loop $rows4
            (br_if $rdone4 (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows4)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
          (f32x4.div (local.get $a0) (local.get $D)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cols4)))
    ;; the last cols mod 4 columns one at a time
    (block $done1
      (loop $cols1
        (br_if $done1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone1
          (loop $rows1
            (br_if $rdone1 (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows1)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
          (f32.div (local.get $s) (local.get $div)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cols1))))

  ;; dst[j·dstStride + i] = src[i·srcStride + j] for i < rows, j < cols (strides in floats):
  ;; one 2-D transpose, also of a slice of a larger tensor. 8×8 tiles, each four 4×4 blocks
  ;; transposed in registers, taken down 8-column strips of src so that dst fills 8 rows in
  ;; order: a tile touches 8 source and 8 destination lines, which an 8-way L1 keeps even when a
  ;; power-of-two stride maps them to one set (untiled strips ran much slower on such shapes:
  ;; docs/benchmarks.md#kernel-design-measurements). The last rows mod 8 and cols mod 8 go
  ;; element by element.
  (func (export "transpose")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (param $srcStride i32) (param $dstStride i32)
    (local $i i32) (local $j i32) (local $ss i32) (local $ds i32)
    (local $s i32) (local $d i32) (local $rows8 i32) (local $cols8 i32)
    (local.set $ss (i32.shl (local.get $srcStride) (i32.const 2)))
    (local.set $ds (i32.shl (local.get $dstStride) (i32.const 2)))
    (local.set $rows8 (i32.and (local.get $rows) (i32.const -8)))
    (local.set $cols8 (i32.and (local.get $cols) (i32.const -8)))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $cols8)))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $i) (local.get $rows8)))
            ;; s = src + (i·srcStride + j)·4;  d = dst + (j·dstStride + i)·4
            (local.set $s (i32.add (local.get $src)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $srcStride)) (local.get $j)) (i32.const 2))))
            (local.set $d (i32.add (local.get $dst)
              (i32.shl (i32.add (i32.mul (local.get $j) (local.get $dstStride)) (local.get $i)) (i32.const 2))))
            (call $block4 (local.get $s) (local.get $d) (local.get $ss) (local.get $ds))
            (call $block4 (i32.add (local.get $s) (i32.const 16)) (i32.add (local.get $d) (i32.shl (local.get $ds) (i32.const 2)))
              (local.get $ss) (local.get $ds))
            (call $block4 (i32.add (local.get $s) (i32.shl (local.get $ss) (i32.const 2))) (i32.add (local.get $d) (i32.const 16))
              (local.get $ss) (local.get $ds))
            (call $block4
              (i32.add (local.get $s) (i32.add (i32.shl (local.get $ss) (i32.const 2)) (i32.const 16)))
              (i32.add (local.get $d) (i32.add (i32.shl (local.get $ds) (i32.const 2)) (i32.const 16)))
              (local.get $ss) (local.get $ds))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $iloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $jloop)))
    ;; columns [cols8, cols) of rows [0, rows8), then rows [rows8, rows) of every column
    (local.set $j (local.get $cols8))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $j) (local.get $cols)))
        (call $copyColumn (local.get $src) (local.get $dst) (i32.const 0) (local.get $rows8)
          (local.get $j) (local.get $srcStride) (local.get $dstStride))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cloop)))
    (local.set $j (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $j) (local.get $cols)))
        (call $copyColumn (local.get $src) (local.get $dst) (local.get $rows8) (local.get $rows)
          (local.get $j) (local.get $srcStride) (local.get $dstStride))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rloop))))

  ;; The 4×4 block at s (row stride ss bytes) transposed to d (row stride ds bytes).
  (func $block4 (param $s i32) (param $d i32) (param $ss i32) (param $ds i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r0 (v128.load (local.get $s)))
    (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $ss))))
    (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ss) (i32.const 1)))))
    (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ss) (i32.const 3)))))
    ;; t0 = r0.0 r1.0 r0.1 r1.1; t1 = r0.2 r1.2 r0.3 r1.3; t2, t3 likewise for r2, r3
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    ;; column c of the block = (t0|t1 low or high half) ++ (t2|t3 same half)
    (v128.store (local.get $d)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store (i32.add (local.get $d) (local.get $ds))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store (i32.add (local.get $d) (i32.shl (local.get $ds) (i32.const 1)))
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store (i32.add (local.get $d) (i32.mul (local.get $ds) (i32.const 3)))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; dst[j·dstStride + i] = src[i·srcStride + j] for i in [from, to): one column of src.
  (func $copyColumn
    (param $src i32) (param $dst i32) (param $from i32) (param $to i32) (param $j i32)
    (param $srcStride i32) (param $dstStride i32)
    (local $i i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $to)))
        (f32.store
          (i32.add (local.get $dst)
            (i32.shl (i32.add (i32.mul (local.get $j) (local.get $dstStride)) (local.get $i)) (i32.const 2)))
          (f32.load
            (i32.add (local.get $src)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $srcStride)) (local.get $j)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; x[i][j] += bias[j] for a row-major rows × cols matrix, in place.
  (func (export "addRows") (param $x i32) (param $rows i32) (param $cols i32) (param $bias i32)
    (local $r i32) (local $c i32) (local $p i32) (local $cols4 i32)
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $p (local.get $x))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $cols4)))
            (v128.store (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2)))
              (f32x4.add
                (v128.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))
                (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $vloop)))
        (block $sdone
          (loop $sloop
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $cols)))
            (f32.store (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2)))
              (f32.add
                (f32.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))
                (f32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $sloop)))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))

  ;; Copies count runs of len floats: run i from src + i·srcStride to dst + i·dstStride (strides
  ;; in floats). Scatters a phase's pixels (channel vectors) into place (wasm-conv2d-backprop-
  ;; input-phases.ts).
  (func (export "copyRuns")
    (param $src i32) (param $dst i32) (param $count i32) (param $len i32)
    (param $srcStride i32) (param $dstStride i32)
    (local $i i32) (local $s i32) (local $d i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (block $idone
      (loop $iloop
        (br_if $idone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $i) (local.get $srcStride)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $dstStride)) (i32.const 2))))
        (call $copyBytes (local.get $s) (local.get $d) (local.get $bytes))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iloop))))

  ;; Patches of an NHWC batch as rows: cols[(b, oh, ow), (kh, kw, ci)] = x[b, oh·sh + kh − top,
  ;; ow·sw + kw − left, ci], 0 outside the image. With few channels a convolution's filter
  ;; gradient is then one matrix product (wasm-small-channel-conv.ts).
  (func (export "im2col")
    (param $x i32) (param $cols i32) (param $B i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $ci i32)
    (local $r i32) (local $c i32) (local $o i32) (local $inside i32) (local $src i32)
    (local.set $o (local.get $cols))
    (loop $bl
      (local.set $oh (i32.const 0))
      (loop $ohl
        (local.set $ow (i32.const 0))
        (loop $owl
          (local.set $kh (i32.const 0))
          (loop $khl
            (local.set $r (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (local.get $kh)) (local.get $top)))
            (local.set $kw (i32.const 0))
            (loop $kwl
              (local.set $c (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sw)) (local.get $kw)) (local.get $left)))
              ;; unsigned compares also reject negative r, c
              (local.set $inside (i32.and (i32.lt_u (local.get $r) (local.get $H)) (i32.lt_u (local.get $c) (local.get $W))))
              (local.set $src (i32.add (local.get $x) (i32.shl
                (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $r)) (local.get $W)) (local.get $c))
                  (local.get $CI)) (i32.const 2))))
              (local.set $ci (i32.const 0))
              (loop $cil
                (f32.store (local.get $o)
                  (select (f32.load (select (local.get $src) (local.get $x) (local.get $inside))) (f32.const 0) (local.get $inside)))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                (br_if $cil (i32.lt_u (local.get $ci) (local.get $CI))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $kwl (i32.lt_u (local.get $kw) (local.get $KW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $khl (i32.lt_u (local.get $kh) (local.get $KH))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $owl (i32.lt_u (local.get $ow) (local.get $OW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $ohl (i32.lt_u (local.get $oh) (local.get $OH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $bl (i32.lt_u (local.get $b) (local.get $B)))))

  ;; The adjoint of im2col: dx = 0, then dx[b, oh·sh + kh − top, ow·sw + kw − left, ci] +=
  ;; cols[(b, oh, ow), (kh, kw, ci)] for positions inside the image, in that loop order. With
  ;; few channels a convolution's input gradient is one matrix product and this.
  (func (export "col2im")
    (param $cols i32) (param $dx i32) (param $B i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $ci i32)
    (local $r i32) (local $c i32) (local $o i32) (local $dst i32)
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $B) (local.get $H)) (local.get $W)) (local.get $CI)) (i32.const 2)))
    (local.set $o (local.get $cols))
    (loop $bl
      (local.set $oh (i32.const 0))
      (loop $ohl
        (local.set $ow (i32.const 0))
        (loop $owl
          (local.set $kh (i32.const 0))
          (loop $khl
            (local.set $r (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (local.get $kh)) (local.get $top)))
            (local.set $kw (i32.const 0))
            (loop $kwl
              (local.set $c (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sw)) (local.get $kw)) (local.get $left)))
              (if (i32.and (i32.lt_u (local.get $r) (local.get $H)) (i32.lt_u (local.get $c) (local.get $W)))
                (then
                  (local.set $dst (i32.add (local.get $dx) (i32.shl
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $r)) (local.get $W)) (local.get $c))
                      (local.get $CI)) (i32.const 2))))
                  (local.set $ci (i32.const 0))
                  (loop $cil
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ci) (i32.const 2)))
                      (f32.add
                        (f32.load (i32.add (local.get $dst) (i32.shl (local.get $ci) (i32.const 2))))
                        (f32.load (i32.add (local.get $o) (i32.shl (local.get $ci) (i32.const 2))))))
                    (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                    (br_if $cil (i32.lt_u (local.get $ci) (local.get $CI))))))
              (local.set $o (i32.add (local.get $o) (i32.shl (local.get $CI) (i32.const 2))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $kwl (i32.lt_u (local.get $kw) (local.get $KW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $khl (i32.lt_u (local.get $kh) (local.get $KH))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $owl (i32.lt_u (local.get $ow) (local.get $OW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $ohl (i32.lt_u (local.get $oh) (local.get $OH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $bl (i32.lt_u (local.get $b) (local.get $B)))))

  ;; Batch normalisation over channels-last data, C values per pixel, as the stock wasm
  ;; FusedBatchNorm computes it (wasm-batch-norm.ts): in float32 n = (x − mean[c])·scale[c] and
  ;; f = sqrt(variance[c] + eps), then in float64 offset[c] + n / f, rounded once to float32.
  (func (export "batchNorm")
    (param $x i32) (param $out i32) (param $pixels i32) (param $C i32)
    (param $mean i32) (param $variance i32) (param $offset i32) (param $scale i32) (param $eps f32)
    (local $p i32) (local $c i32) (local $C4 i32) (local $row i32) (local $b i32) (local $E v128)
    (local $n v128) (local $f v128) (local $o v128)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (block $pdone
      (loop $ploop
        (br_if $pdone (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 2)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $C4)))
            (local.set $b (i32.shl (local.get $c) (i32.const 2)))
            (local.set $n
              (f32x4.mul
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $b))))
                  (v128.load (i32.add (local.get $mean) (local.get $b))))
                (v128.load (i32.add (local.get $scale) (local.get $b)))))
            (local.set $f (f32x4.sqrt (f32x4.add (v128.load (i32.add (local.get $variance) (local.get $b))) (local.get $E))))
            (local.set $o (v128.load (i32.add (local.get $offset) (local.get $b))))
            ;; lanes 0–1 and 2–3 in float64, back to float32, rejoined
            (v128.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $b)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.add
                    (f64x2.promote_low_f32x4 (local.get $o))
                    (f64x2.div (f64x2.promote_low_f32x4 (local.get $n)) (f64x2.promote_low_f32x4 (local.get $f)))))
                (f32x4.demote_f64x2_zero
                  (f64x2.add
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $o) (local.get $o)))
                    (f64x2.div
                      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $n) (local.get $n)))
                      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f) (local.get $f))))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $vloop)))
        (block $sdone
          (loop $sloop
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $b (i32.shl (local.get $c) (i32.const 2)))
            (f32.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $b)))
              (f32.demote_f64
                (f64.add
                  (f64.promote_f32 (f32.load (i32.add (local.get $offset) (local.get $b))))
                  (f64.div
                    (f64.promote_f32
                      (f32.mul
                        (f32.sub
                          (f32.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $b))))
                          (f32.load (i32.add (local.get $mean) (local.get $b))))
                        (f32.load (i32.add (local.get $scale) (local.get $b)))))
                    (f64.promote_f32
                      (f32.sqrt (f32.add (f32.load (i32.add (local.get $variance) (local.get $b))) (local.get $eps))))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $sloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))

  ;; dst[i] = src[indices[i]] for rows of len 4-byte values (int32 indices, already checked to
  ;; be in range): a gather along axis 0, e.g. a training batch from the data set
  ;; (wasm-gather.ts).
  (func (export "gatherRows")
    (param $src i32) (param $dst i32) (param $indices i32) (param $count i32) (param $len i32)
    (local $i i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $len) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (call $copyBytes
          (i32.add (local.get $src) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes)))
          (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $rowBytes)))
          (local.get $rowBytes))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; Copies `bytes` (a multiple of 4) from s to d, 16 at a time, then 4.
  (func $copyBytes (param $s i32) (param $d i32) (param $bytes i32)
    (local $c i32) (local $bytes16 i32)
    (local.set $bytes16 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $c) (local.get $bytes16)))
        (v128.store (i32.add (local.get $d) (local.get $c)) (v128.load (i32.add (local.get $s) (local.get $c))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $c) (local.get $bytes)))
        (i32.store (i32.add (local.get $d) (local.get $c)) (i32.load (i32.add (local.get $s) (local.get $c))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $sloop))))

  ;; out = a·keep + b·take over n floats, each product and the sum rounded to float32: one step
  ;; of a moving average (the EMA generator, ema-update.ts).
  (func (export "blend")
    (param $a i32) (param $b i32) (param $out i32) (param $n i32) (param $keep f32) (param $take f32)
    (local $i i32) (local $end i32) (local $vend i32) (local $K v128) (local $T v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $K (f32x4.splat (local.get $keep)))
    (local.set $T (f32x4.splat (local.get $take)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $K))
            (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $i))) (local.get $T))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $keep))
            (f32.mul (f32.load (i32.add (local.get $b) (local.get $i))) (local.get $take))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))

  ;; dst[i] = src[i] + f32(σ·table[u]) for i < n: D's Gaussian noise added in one pass. u are 16-bit
  ;; uniforms from xorshift128 (state x, y, z, w), two per step, low half first; σ·q is computed in
  ;; f64 and rounded to f32 — src/random.ts normalArray's stream followed by an Add, bit for bit.
  (func (export "addNormal")
    (param $src i32) (param $dst i32) (param $n i32) (param $sigma f64) (param $table i32)
    (param $x i32) (param $y i32) (param $z i32) (param $w i32)
    (local $t i32) (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $t (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 11))))
        (local.set $x (local.get $y))
        (local.set $y (local.get $z))
        (local.set $z (local.get $w))
        (local.set $w
          (i32.xor
            (i32.xor (local.get $w) (i32.shr_u (local.get $w) (i32.const 19)))
            (i32.xor (local.get $t) (i32.shr_u (local.get $t) (i32.const 8)))))
        (f32.store (i32.add (local.get $dst) (local.get $i))
          (f32.add
            (f32.load (i32.add (local.get $src) (local.get $i)))
            (f32.demote_f64
              (f64.mul (local.get $sigma)
                (f64.promote_f32
                  (f32.load (i32.add (local.get $table)
                    (i32.shl (i32.and (local.get $w) (i32.const 0xffff)) (i32.const 2)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $dst) (local.get $i))
          (f32.add
            (f32.load (i32.add (local.get $src) (local.get $i)))
            (f32.demote_f64
              (f64.mul (local.get $sigma)
                (f64.promote_f32
                  (f32.load (i32.add (local.get $table)
                    (i32.shl (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 2)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $step))))

  ;; out[i][j] = act(x[i][j]·scale[j] + bias[j]) over a rows × cols matrix, act ReLU when $relu is 1,
  ;; the identity when 0; product and sum each rounded to float32, as Multiply then Add round them:
  ;; a weight-normalised layer's output from its product x·v (wasm-scale-shift.ts).
  (func (export "scaleShift")
    (param $x i32) (param $scale i32) (param $bias i32) (param $out i32) (param $rows i32) (param $cols i32)
    (param $relu i32)
    (local $r i32) (local $c i32) (local $o i32) (local $cols4 i32) (local $floor v128) (local $f f32)
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    ;; max(·, −inf) leaves a value as it is.
    (local.set $f (select (f32.const 0) (f32.const -inf) (local.get $relu)))
    (local.set $floor (f32x4.splat (local.get $f)))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $cols4)))
            (local.set $o (i32.shl (local.get $c) (i32.const 2)))
            (v128.store (i32.add (local.get $out) (local.get $o))
              (f32x4.max
                (f32x4.add
                  (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $o)))
                    (v128.load (i32.add (local.get $scale) (local.get $o))))
                  (v128.load (i32.add (local.get $bias) (local.get $o))))
                (local.get $floor)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $vloop)))
        (block $sdone
          (loop $sloop
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $o (i32.shl (local.get $c) (i32.const 2)))
            (f32.store (i32.add (local.get $out) (local.get $o))
              (f32.max
                (f32.add
                  (f32.mul (f32.load (i32.add (local.get $x) (local.get $o)))
                    (f32.load (i32.add (local.get $scale) (local.get $o))))
                  (f32.load (i32.add (local.get $bias) (local.get $o))))
                (local.get $f)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $sloop)))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))

  ;; scaleShift's gradients from dy and its output y: t = dy where y > 0 (all of dy without ReLU),
  ;; dx = t·scale, dScale[j] = Σᵢ t·x, dBias[j] = Σᵢ t, the sums taken row by row in order.
  (func (export "scaleShiftGrad")
    (param $dy i32) (param $x i32) (param $y i32) (param $scale i32)
    (param $dx i32) (param $dScale i32) (param $dBias i32) (param $rows i32) (param $cols i32) (param $relu i32)
    (local $r i32) (local $c i32) (local $o i32) (local $cols4 i32) (local $t v128) (local $ts f32)
    (local $keepAll v128)
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    ;; Without ReLU every lane passes: the mask is all ones.
    (local.set $keepAll (i32x4.splat (i32.sub (i32.const 0) (i32.eqz (local.get $relu)))))
    (local.set $c (i32.const 0))
    (block $zdone
      (loop $zloop
        (br_if $zdone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $o (i32.shl (local.get $c) (i32.const 2)))
        (f32.store (i32.add (local.get $dScale) (local.get $o)) (f32.const 0))
        (f32.store (i32.add (local.get $dBias) (local.get $o)) (f32.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $zloop)))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $cols4)))
            (local.set $o (i32.shl (local.get $c) (i32.const 2)))
            (local.set $t
              (v128.and (v128.load (i32.add (local.get $dy) (local.get $o)))
                (v128.or (local.get $keepAll)
                  (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $o))) (f32x4.splat (f32.const 0))))))
            (v128.store (i32.add (local.get $dx) (local.get $o))
              (f32x4.mul (local.get $t) (v128.load (i32.add (local.get $scale) (local.get $o)))))
            (v128.store (i32.add (local.get $dScale) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $dScale) (local.get $o)))
                (f32x4.mul (local.get $t) (v128.load (i32.add (local.get $x) (local.get $o))))))
            (v128.store (i32.add (local.get $dBias) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $dBias) (local.get $o))) (local.get $t)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $vloop)))
        (block $sdone
          (loop $sloop
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $o (i32.shl (local.get $c) (i32.const 2)))
            (local.set $ts
              (select (f32.load (i32.add (local.get $dy) (local.get $o))) (f32.const 0)
                (i32.or (i32.eqz (local.get $relu))
                  (f32.gt (f32.load (i32.add (local.get $y) (local.get $o))) (f32.const 0)))))
            (f32.store (i32.add (local.get $dx) (local.get $o))
              (f32.mul (local.get $ts) (f32.load (i32.add (local.get $scale) (local.get $o)))))
            (f32.store (i32.add (local.get $dScale) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $dScale) (local.get $o)))
                (f32.mul (local.get $ts) (f32.load (i32.add (local.get $x) (local.get $o))))))
            (f32.store (i32.add (local.get $dBias) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $dBias) (local.get $o))) (local.get $ts)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $sloop)))
        (local.set $dy (i32.add (local.get $dy) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))

  ;; out[i] = softplus(x[i]) = max(x, 0) + log1p(exp(−|x|)) over n floats, four at a time (the tail
  ;; one lane at a time). exp(t), t = −|x| ≥ −80: t = k·ln2 + r, |r| ≤ ln2/2, 2^k from the exponent
  ;; bits, e^r by its Taylor series to r⁷. log1p(u) = 2·atanh(s), s = u/(2 + u) ≤ 1/3, by the odd
  ;; series to s¹⁵, whose higher terms are dropped (set to 0) below s = 1e-18: denormal products
  ;; cost x86 a hundred cycles each. The clamp at −80 keeps every value normal; below it the result
  ;; is off by less than 2e-35.
  (func $softplus4 (param $x v128) (result v128)
    (local $t v128) (local $k v128) (local $r v128) (local $e v128) (local $s v128) (local $z v128)
    (local $p v128)
    (local.set $t (f32x4.max (f32x4.neg (f32x4.abs (local.get $x))) (f32x4.splat (f32.const -80))))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $t) (f32x4.splat (f32.const 1.44269504)))))
    (local.set $r (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.98412698e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.38888889e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.33333333e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.16666667e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.166666667))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    ;; e = p·2^k: k + 127 into the exponent field (k ≥ −116 since t ≥ −80).
    (local.set $e (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32x4.splat (i32.const 127))) (i32.const 23))))
    (local.set $s (f32x4.div (local.get $e) (f32x4.add (local.get $e) (f32x4.splat (f32.const 2)))))
    (local.set $z (v128.and (local.get $s) (f32x4.gt (local.get $s) (f32x4.splat (f32.const 1e-18)))))
    (local.set $z (f32x4.mul (local.get $z) (local.get $z)))
    (local.set $p (f32x4.splat (f32.const 0.0666666667)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.0769230769))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.0909090909))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.111111111))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.142857143))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 0.333333333))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (f32x4.splat (f32.const 1))))
    (f32x4.add
      (f32x4.max (local.get $x) (f32x4.splat (f32.const 0)))
      (f32x4.mul (f32x4.mul (local.get $s) (local.get $p)) (f32x4.splat (f32.const 2)))))

  (func (export "softplus") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $vend i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (call $softplus4 (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32x4.extract_lane 0
            (call $softplus4 (f32x4.splat (f32.load (i32.add (local.get $x) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))
)
