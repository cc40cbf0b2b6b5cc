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
)
