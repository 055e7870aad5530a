"""EMDQN (Lin, Zhao, Yang, Zhang, IJCAI 2018, arXiv:1805.07603): DQN regularised by an episodic memory
of the best discounted return seen from each (state, action)."""
