/*
 * ops_list.h — every op the registry knows, one MOTE_OP(Name) line each,
 * grouped by the file that defines it as `const mote_op mote_op_Name`
 * (shape inference, prepare, run). The math of each op is in the reference
 * kernel that file names at its top (kernels/<family>_ref.c). Sorted by
 * name within a file.
 */
/* src/ops/binary.c */
MOTE_OP(Add)
MOTE_OP(Div)
MOTE_OP(Mul)
MOTE_OP(PRelu)
MOTE_OP(Sub)
/* src/ops/branch.c */
MOTE_OP(Goto)
MOTE_OP(IfJump)
/* src/ops/cast.c */
MOTE_OP(Cast)
MOTE_OP(CastLike)
/* src/ops/concat.c */
MOTE_OP(Concat)
/* src/ops/conv.c */
MOTE_OP(Conv)
/* src/ops/conv_transpose.c */
MOTE_OP(ConvTranspose)
/* src/ops/einsum.c */
MOTE_OP(Einsum)
/* src/ops/elementwise.c */
MOTE_OP(And)
MOTE_OP(Equal)
MOTE_OP(Greater)
MOTE_OP(GreaterOrEqual)
MOTE_OP(Less)
MOTE_OP(LessOrEqual)
MOTE_OP(Max)
MOTE_OP(Mean)
MOTE_OP(Min)
MOTE_OP(Or)
MOTE_OP(Pow)
MOTE_OP(Sum)
MOTE_OP(Where)
MOTE_OP(Xor)
/* src/ops/gather.c */
MOTE_OP(Gather)
MOTE_OP(GatherElements)
MOTE_OP(GatherND)
MOTE_OP(ScatterND)
/* src/ops/gemm.c */
MOTE_OP(Gemm)
/* src/ops/if_guard.c */
MOTE_OP(IfGuard)
/* src/ops/llm/attention.c */
MOTE_OP(LlmAttention)
/* src/ops/llm/embedding.c */
MOTE_OP(LlmEmbedding)
MOTE_OP(LlmSwiGLU)
/* src/ops/llm/linear.c */
MOTE_OP(LlmLinear)
/* src/ops/llm/rope.c */
MOTE_OP(LlmRope)
/* src/ops/loop.c */
MOTE_OP(LoopBegin)
MOTE_OP(LoopEnd)
/* src/ops/matmul.c */
MOTE_OP(MatMul)
/* src/ops/norm.c */
MOTE_OP(BatchNormalization)
MOTE_OP(InstanceNormalization)
MOTE_OP(LRN)
MOTE_OP(LayerNormalization)
MOTE_OP(LpNormalization)
MOTE_OP(RMSNormalization)
/* src/ops/pad.c */
MOTE_OP(Pad)
MOTE_OP(Tile)
/* src/ops/pool.c */
MOTE_OP(AveragePool)
MOTE_OP(GlobalAveragePool)
MOTE_OP(GlobalMaxPool)
MOTE_OP(MaxPool)
/* src/ops/qlinear.c */
MOTE_OP(ConvInteger)
MOTE_OP(DynamicQuantizeLinear)
MOTE_OP(QLinearConv)
MOTE_OP(QLinearMatMul)
/* src/ops/qint.c */
MOTE_OP(QAdd)
MOTE_OP(QAveragePool)
MOTE_OP(QConv)
MOTE_OP(QFullyConnected)
MOTE_OP(QLookup)
MOTE_OP(QMul)
MOTE_OP(QSub)
/* src/ops/quantize.c */
MOTE_OP(DequantizeLinear)
MOTE_OP(MatMulInteger)
MOTE_OP(QuantizeLinear)
/* src/ops/reduce.c */
MOTE_OP(ArgMax)
MOTE_OP(ArgMin)
MOTE_OP(ReduceL1)
MOTE_OP(ReduceL2)
MOTE_OP(ReduceLogSum)
MOTE_OP(ReduceLogSumExp)
MOTE_OP(ReduceMax)
MOTE_OP(ReduceMean)
MOTE_OP(ReduceMin)
MOTE_OP(ReduceProd)
MOTE_OP(ReduceSum)
MOTE_OP(ReduceSumSquare)
/* src/ops/reshape.c */
MOTE_OP(Flatten)
MOTE_OP(Reshape)
/* src/ops/resize.c */
MOTE_OP(Resize)
MOTE_OP(Upsample)
/* src/ops/rnn.c */
MOTE_OP(GRU)
MOTE_OP(LSTM)
/* src/ops/shape.c */
MOTE_OP(ConstantOfShape)
MOTE_OP(Dropout)
MOTE_OP(Expand)
MOTE_OP(Identity)
MOTE_OP(Range)
MOTE_OP(Shape)
MOTE_OP(Size)
MOTE_OP(Squeeze)
MOTE_OP(Unsqueeze)
/* src/ops/slice.c */
MOTE_OP(DepthToSpace)
MOTE_OP(Slice)
MOTE_OP(SpaceToDepth)
MOTE_OP(Split)
/* src/ops/softmax.c */
MOTE_OP(LogSoftmax)
MOTE_OP(Softmax)
/* src/ops/topk.c */
MOTE_OP(CumSum)
MOTE_OP(TopK)
/* src/ops/transpose.c */
MOTE_OP(Transpose)
/* src/ops/trilu.c */
MOTE_OP(Trilu)
/* src/ops/unary.c */
MOTE_OP(Abs)
MOTE_OP(Ceil)
MOTE_OP(Clip)
MOTE_OP(Cos)
MOTE_OP(Elu)
MOTE_OP(Erf)
MOTE_OP(Exp)
MOTE_OP(Floor)
MOTE_OP(Gelu)
MOTE_OP(HardSigmoid)
MOTE_OP(HardSwish)
MOTE_OP(LeakyRelu)
MOTE_OP(Log)
MOTE_OP(Mish)
MOTE_OP(Neg)
MOTE_OP(Not)
MOTE_OP(Reciprocal)
MOTE_OP(Relu)
MOTE_OP(Round)
MOTE_OP(Selu)
MOTE_OP(Sigmoid)
MOTE_OP(Sign)
MOTE_OP(Sin)
MOTE_OP(Softplus)
MOTE_OP(Sqrt)
MOTE_OP(Tanh)
