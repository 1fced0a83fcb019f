from setuptools import setup  
from Cython.Build import cythonize  
import numpy  

setup(  
    ext_modules=cythonize("fast_operations.pyx"),  
    include_dirs=[numpy.get_include()]  
)
