"""Notebook 10 (training a tiny Llama): its language-dependent examples in both languages, and the words of the
training figures (tools/plots/training.py)."""

STRINGS = {
    # How a question of the generated corpus starts (training/world.py): the logit lens picks a probe of this
    # language.
    "nb10.question": {"en": "Q:", "zh": "问："},
    # A story of the corpus's kind (training/corpus.py): the colour is made up in the prompt itself.
    "nb10.story": {"en": "Today, Mia has a red kite. Tom has a blue boat. Tom's boat is",
                   "zh": "小明有一个红色的风筝。小红有一个蓝色的小船。小红的小船是"},
    # Names of the model studied, in figure titles.
    "nb10.short_run": {"en": "short run, {steps} steps", "zh": "短训练，{steps} 步"},
    "nb10.trained_demo": {"en": "trained demo, {steps} steps", "zh": "训练过的演示模型，{steps} 步"},
    # Figures
    "plot.train.schedule": {"en": "Learning rate: warm-up, then cosine decay", "zh": "学习率：预热，然后余弦衰减"},
    "plot.train.step": {"en": "step", "zh": "步数"},
    "plot.train.lr": {"en": "learning rate", "zh": "学习率"},
    "plot.train.unused_weight": {"en": "weight of the unused ids in the loss", "zh": "损失中未用词元的权重"},
    "plot.train.loss_title": {"en": "Loss while training", "zh": "训练中的损失"},
    "plot.train.loss": {"en": "cross-entropy (nats per token)", "zh": "交叉熵（每个词元的奈特数）"},
    "plot.train.objective": {"en": "training objective (each step's batch)", "zh": "训练目标（每步的批次）"},
    "plot.train.eval_train": {"en": "training text, full vocabulary", "zh": "训练文本，完整词表"},
    "plot.train.eval_val": {"en": "held-out text, full vocabulary", "zh": "留出文本，完整词表"},
    "plot.train.log_v": {"en": "log V (uniform guess)", "zh": "log V（均匀猜测）"},
    "plot.train.unigram": {"en": "unigram entropy of the held-out text", "zh": "留出文本的一元熵"},
    "plot.train.bigram": {"en": "bigram entropy of the held-out text", "zh": "留出文本的二元熵"},
    "plot.train.model_loss": {"en": "the model's held-out loss", "zh": "模型的留出损失"},
    "plot.train.baselines_title": {"en": "Held-out loss against context-free baselines",
                                   "zh": "留出损失与不看上下文的基线"},
    "plot.train.heads_title": {"en": "What each head does", "zh": "每个注意力头在做什么"},
    "plot.train.previous_token": {"en": "previous-token score", "zh": "前一词元得分"},
    "plot.train.induction": {"en": "induction score", "zh": "归纳得分"},
    "plot.train.layer": {"en": "layer", "zh": "层"},
    "plot.train.head": {"en": "head", "zh": "头"},
}
